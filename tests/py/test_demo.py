"""`make demo` really kills a process and resumes the workflow in another one."""

from __future__ import annotations

import os
import subprocess
import sys


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
