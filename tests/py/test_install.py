"""admin.install(): idempotent, and safe when several processes run it at once."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import psycopg
import pytest

import pgqrs
from pgqrs import _install

LATEST = _install.Scripts.load().latest

INSTALL = """
import sys, pgqrs
with pgqrs.connect_sync(sys.argv[1]) as store:
    print(",".join(pgqrs.admin(store).install()) or "-")
"""


def test_install_then_noop(empty_dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(empty_dsn) as store:
            admin = pgqrs.admin(store)
            assert await admin.install() == [f"pgqrs--{LATEST}.sql"]
            assert await admin.install() == []
            assert await admin.version() == LATEST

    asyncio.run(main())


def test_concurrent_installs_apply_once(empty_dsn: str) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", INSTALL, empty_dsn],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    results = [(*p.communicate(timeout=120), p.returncode) for p in procs]
    assert all(code == 0 for _, _, code in results), results
    applied = sorted(out.strip() for out, _, _ in results)
    assert applied == ["-"] * 5 + [f"pgqrs--{LATEST}.sql"]
    with psycopg.connect(empty_dsn, autocommit=True) as conn:
        assert conn.execute("select version from pgqrs.ledger").fetchall() == [(LATEST,)]


def test_foreign_schema_is_refused(empty_dsn: str) -> None:
    with psycopg.connect(empty_dsn, autocommit=True) as conn:
        conn.execute("create schema pgqrs")
    with (
        pgqrs.connect_sync(empty_dsn) as store,
        pytest.raises(pgqrs.SchemaError, match=r"no pgqrs\.ledger"),
    ):
        pgqrs.admin(store).install()


def test_newer_schema_is_refused(empty_dsn: str) -> None:
    with pgqrs.connect_sync(empty_dsn) as store:
        pgqrs.admin(store).install()
    with psycopg.connect(empty_dsn, autocommit=True) as conn:
        conn.execute("insert into pgqrs.ledger (version) values ('9.0.0')")
    with (
        pgqrs.connect_sync(empty_dsn) as store,
        pytest.raises(pgqrs.SchemaError, match="newer than this client"),
    ):
        pgqrs.admin(store).install()
