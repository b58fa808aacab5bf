"""Invariants between the SQL and the Python package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg

import pgqrs
from pgqrs import _install, errors

ROOT = Path(__file__).resolve().parents[2]


def test_python_error_registry_equals_sql_error_codes(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        sql_codes = {r[0] for r in conn.execute("select sqlstate from pgqrs.error_codes()")}
    python_codes = {c for c in errors.registered_sqlstates() if c.startswith("PQ")}
    assert python_codes == sql_codes


def test_sql_error_codes_equal_codes_raised_in_the_install_script() -> None:
    import re

    latest = _install.Scripts.load()
    script = latest.full[latest.latest].read_text()
    raised = set(re.findall(r"errcode = '(PQ\d{3})'", script))
    python_codes = {c for c in errors.registered_sqlstates() if c.startswith("PQ")}
    assert raised == python_codes


def test_sync_module_is_generated_from_async() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_sync.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_sql_scripts_are_generated_from_the_sources() -> None:
    """sql/pgqrs--X.sql and its upgrade scripts are what tools/gen_sql.py builds from sql/src/."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_sql.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_public_api_is_exported() -> None:
    assert sorted(pgqrs.__all__) == pgqrs.__all__
    for name in pgqrs.__all__:
        assert hasattr(pgqrs, name), name
    from pgqrs.decorators import step, workflow

    assert pgqrs.step is step and pgqrs.workflow is workflow
