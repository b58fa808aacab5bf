"""Shared fixtures: one throwaway server per session, one fresh database per test.

The session server comes from ``pgqrs.testing.server_from_env()``: PGQRS_TEST_PG=18 gives the
embedded PostgreSQL 18, PGQRS_TEST_DSN an external server, else Docker or a local cluster.
The schema is installed once, with psql, into database ``pgqrs_template``; each test that asks
for ``dsn`` gets ``CREATE DATABASE t_<random> TEMPLATE pgqrs_template``, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgqrs._install import Scripts
from pgqrs.testing import (
    TEST_SETTINGS,
    Server,
    create_database,
    drop_database,
    dsn_for,
    run_psql_file,
    server_from_env,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
_SCRIPTS = Scripts.load(REPO_ROOT / "sql")
SCHEMA_SQL = _SCRIPTS.full[_SCRIPTS.latest]
TEMPLATE_DB = "pgqrs_template"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "pg15_only: needs the PostgreSQL 15 server (skipped with PGQRS_TEST_PG=18)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("PGQRS_TEST_PG", "").strip().lower() not in ("18", "embedded"):
        return
    skip = pytest.mark.skip(reason="pg15_only test, and PGQRS_TEST_PG=18")
    for item in items:
        if "pg15_only" in item.keywords:
            item.add_marker(skip)


def install_schema(dsn: str, *, bindir: Path | None = None, sql_file: Path = SCHEMA_SQL) -> None:
    """Install the pgqrs schema into ``dsn`` the way users do: ``psql -v ON_ERROR_STOP=1 -f``.

    ``bindir`` picks the psql that matches the server (``pg_server.bindir``); without it, or
    when it has no psql, the psql on PATH runs.
    """
    if not sql_file.is_file():
        pytest.fail(f"schema file {sql_file} does not exist")
    run_psql_file(dsn, sql_file, bindir=bindir)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """The session's server; its ``dsn`` is the superuser's, for database ``postgres``."""
    with server_from_env(TEST_SETTINGS) as server:
        yield server


@pytest.fixture
def restartable_server(pg_server: Server) -> Server:
    """The session's server, or a skip when it cannot be restarted (PGQRS_TEST_DSN)."""
    if not pg_server.can_restart:
        pytest.skip("the server of PGQRS_TEST_DSN cannot be restarted from the tests")
    return pg_server


@pytest.fixture(scope="session")
def template_dsn(pg_server: Server) -> Iterator[str]:
    """DSN of ``pgqrs_template``: a database with the schema installed by psql, once."""
    drop_database(pg_server.dsn, TEMPLATE_DB)
    dsn = create_database(pg_server.dsn, TEMPLATE_DB)
    install_schema(dsn, bindir=pg_server.bindir)
    yield dsn
    drop_database(pg_server.dsn, TEMPLATE_DB)


def _new_database(pg_server: Server, template: str | None) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:16]}"
    create_database(pg_server.dsn, name, template=template)
    try:
        yield dsn_for(pg_server.dsn, name)
    finally:
        drop_database(pg_server.dsn, name)


@pytest.fixture
def dsn(pg_server: Server, template_dsn: str) -> Iterator[str]:
    """DSN of a new database made from ``pgqrs_template`` for this test, dropped afterwards."""
    yield from _new_database(pg_server, TEMPLATE_DB)


@pytest.fixture
def empty_dsn(pg_server: Server) -> Iterator[str]:
    """DSN of a new empty database (no schema) for this test, dropped afterwards."""
    yield from _new_database(pg_server, None)
