"""Shared fixtures: one throwaway server per session, one fresh database per test.

The session server comes from ``pgqrs.testing.server_from_env()``: PGQRS_TEST_PG=18 gives the
embedded PostgreSQL 18, PGQRS_TEST_DSN an external server, else Docker or a local cluster.
The schema is installed once, with psql, into database ``pgqrs_template``; each test that asks
for ``dsn`` gets ``CREATE DATABASE t_<random> TEMPLATE pgqrs_template``, dropped afterwards.

The core modules (PROXY_MODULES) run a second time against the proxy of a cluster of three shards
(docs/scale-out.md): their ``dsn`` is then the proxy's, the shards are databases made from
``pgqrs_template`` and the proxy one made from ``pgqrs_proxy_template`` (PL/Proxy and the proxy's
functions, installed once), tied together by ``pgqrs cluster init``. Those runs carry the
``proxy`` mark and are skipped where the server has no PL/Proxy (the embedded PostgreSQL 18); a
test marked ``no_proxy(reason)`` runs directly only.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgqrs._cluster import init_cluster, proxy_script
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
from pgqrs.testing._databases import has_extension

REPO_ROOT = Path(__file__).resolve().parents[2]
_SCRIPTS = Scripts.load(REPO_ROOT / "sql")
SCHEMA_SQL = _SCRIPTS.full[_SCRIPTS.latest]
TEMPLATE_DB = "pgqrs_template"
PROXY_TEMPLATE_DB = "pgqrs_proxy_template"
SHARDS = 3
# The modules whose tests using ``dsn`` run twice: directly, and through a proxy over SHARDS shards.
PROXY_MODULES = frozenset(
    {
        "test_seed",
        "test_steps",
        "test_leases",
        "test_workers",
        "test_worker_faults",
        "test_coordination",
        "test_failures",
        "test_node",
    }
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "pg15_only: needs the PostgreSQL 15 server (skipped with PGQRS_TEST_PG=18)"
    )
    config.addinivalue_line(
        "markers", "proxy: runs through the proxy of a cluster (needs PL/Proxy: not on PG 18)"
    )
    config.addinivalue_line(
        "markers", "no_proxy(reason): a core test that cannot run through a proxy, and why"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The tests of PROXY_MODULES that use ``dsn`` run directly and through a proxy."""
    module = metafunc.module.__name__.rpartition(".")[2]
    if module in PROXY_MODULES and "dsn" in metafunc.fixturenames:
        metafunc.parametrize(
            "dsn_mode", ["direct", pytest.param("proxy", marks=pytest.mark.proxy)], indirect=True
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("no_proxy")
        callspec = getattr(item, "callspec", None)
        if marker and callspec is not None and callspec.params.get("dsn_mode") == "proxy":
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"not through a proxy: {reason}"))
    if os.environ.get("PGQRS_TEST_PG", "").strip().lower() not in ("18", "embedded"):
        return
    skip = pytest.mark.skip(reason="pg15_only test, and PGQRS_TEST_PG=18")
    no_proxy = pytest.mark.skip(reason="the embedded PostgreSQL 18 has no PL/Proxy")
    for item in items:
        if "pg15_only" in item.keywords:
            item.add_marker(skip)
        if "proxy" in item.keywords:
            item.add_marker(no_proxy)


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


@pytest.fixture(scope="session")
def proxy_template_dsn(pg_server: Server) -> Iterator[str]:
    """DSN of ``pgqrs_proxy_template``: PL/Proxy and the proxy's functions, installed once."""
    if not has_extension(pg_server.dsn, "plproxy"):
        pytest.skip("this server has no PL/Proxy (Debian: postgresql-15-plproxy)")
    drop_database(pg_server.dsn, PROXY_TEMPLATE_DB)
    dsn = create_database(pg_server.dsn, PROXY_TEMPLATE_DB)
    run_psql_file(dsn, proxy_script(REPO_ROOT / "sql"), bindir=pg_server.bindir)
    yield dsn
    drop_database(pg_server.dsn, PROXY_TEMPLATE_DB)


def make_cluster(pg_server: Server, shards: int = SHARDS) -> tuple[str, list[str], list[str]]:
    """A cluster on the session's server: ``shards`` databases from ``pgqrs_template`` and a
    proxy from ``pgqrs_proxy_template`` (both must exist), tied by pgqrs cluster init; returns
    (proxy DSN, shard DSNs, database names)."""
    base = f"t_{uuid.uuid4().hex[:12]}"
    names = [*(f"{base}_s{n}" for n in range(shards)), f"{base}_p"]
    try:
        shard_dsns = [create_database(pg_server.dsn, n, template=TEMPLATE_DB) for n in names[:-1]]
        proxy_dsn = create_database(pg_server.dsn, names[-1], template=PROXY_TEMPLATE_DB)
        init_cluster(proxy_dsn, shard_dsns)
    except BaseException:
        drop_databases(pg_server, names)
        raise
    return proxy_dsn, shard_dsns, names


def drop_databases(pg_server: Server, names: list[str]) -> None:
    for name in reversed(names):  # the proxy first: it holds connections to the shards
        drop_database(pg_server.dsn, name)


class Clusters:
    """Clusters of SHARDS shards for the proxy runs, made one ahead in a thread while a test
    runs (making four databases takes seconds on a busy machine), dropped in that thread too."""

    def __init__(self, pg_server: Server) -> None:
        self._server = pg_server
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="clusters")
        self._spare: concurrent.futures.Future[tuple[str, list[str], list[str]]] | None = None

    @contextlib.contextmanager
    def cluster(self) -> Iterator[tuple[str, list[str]]]:
        """A fresh cluster for one test: (proxy DSN, shard DSNs)."""
        spare, self._spare = self._spare, None
        try:
            made = spare.result() if spare is not None else make_cluster(self._server)
        except Exception:  # the server restarted under it, say: make one now
            made = make_cluster(self._server)
        self._spare = self._thread.submit(make_cluster, self._server)
        try:
            yield made[0], made[1]
        finally:
            self._thread.submit(drop_databases, self._server, made[2])

    def close(self) -> None:
        if self._spare is not None:
            with contextlib.suppress(Exception):
                drop_databases(self._server, self._spare.result()[2])
        self._thread.shutdown(wait=True)


@pytest.fixture(scope="session")
def clusters(pg_server: Server, template_dsn: str, proxy_template_dsn: str) -> Iterator[Clusters]:
    made = Clusters(pg_server)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def dsn_mode(request: pytest.FixtureRequest) -> str:
    """How ``dsn`` reaches pgqrs: "direct", or "proxy" (PROXY_MODULES run both)."""
    return str(getattr(request, "param", "direct"))


@pytest.fixture
def dsn(
    pg_server: Server, template_dsn: str, dsn_mode: str, request: pytest.FixtureRequest
) -> Iterator[str]:
    """DSN of a new database made from ``pgqrs_template`` for this test, dropped afterwards; in
    "proxy" mode the DSN of a proxy over SHARDS such databases."""
    if dsn_mode == "proxy":
        clusters: Clusters = request.getfixturevalue("clusters")
        with clusters.cluster() as (proxy_dsn, _):
            yield proxy_dsn
        return
    yield from _new_database(pg_server, TEMPLATE_DB)


@pytest.fixture
def empty_dsn(pg_server: Server) -> Iterator[str]:
    """DSN of a new empty database (no schema) for this test, dropped afterwards."""
    yield from _new_database(pg_server, None)
