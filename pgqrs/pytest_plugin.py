"""pytest fixtures to test your own workflows against a real PostgreSQL, as pgqrs tests its own.

Enable it in your ``conftest.py``::

    pytest_plugins = ["pgqrs.pytest_plugin"]

The server: ``$PGQRS_TEST_DSN`` (a superuser DSN of a server you run, for example in CI), else a
Docker container when an engine answers, else a throwaway cluster built from the PostgreSQL
binaries on the machine (:func:`pgqrs.testing.server_from_env`). pgqrs is installed once per
session into a template database; each test that asks for a database gets its own copy
(``CREATE DATABASE ... TEMPLATE``, a few tens of milliseconds), dropped afterwards, so tests
are isolated and can run in any order.

Fixtures:

``pgqrs_server`` (session)
    the :class:`pgqrs.testing.Server`; override it to use another one.
``pgqrs_template`` (session)
    the DSN of the template database, with pgqrs installed (and whatever ``pgqrs_setup_sql``
    returns run after it: override that fixture to add your own tables).
``pgqrs_dsn``
    the DSN of a fresh database for this test.
``pgqrs_store``, ``pgqrs_admin``
    a :class:`pgqrs.SyncStore` on it, and its :class:`pgqrs.SyncAdmin`; async tests connect
    with ``await pgqrs.connect(pgqrs_dsn)``.
``pgqrs_worker``
    starts workers for the test: ``pgqrs_worker([place_order], concurrency=2)`` runs a
    :class:`pgqrs.Worker` in a background thread (its own event loop and store) until the test
    ends, so ``start_workflow(...).result()`` returns.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from psycopg.conninfo import conninfo_to_dict

import pgqrs

from .testing import Server, create_database, drop_database, dsn_for, server_from_env

__all__ = [
    "BackgroundWorker",
    "pgqrs_admin",
    "pgqrs_dsn",
    "pgqrs_server",
    "pgqrs_setup_sql",
    "pgqrs_store",
    "pgqrs_template",
    "pgqrs_worker",
]


class BackgroundWorker:
    """A :class:`pgqrs.Worker` running in a thread with its own event loop and store, for tests
    written in plain ``def``. :meth:`stop` drains it and raises what made it fail, if anything.
    """

    def __init__(
        self,
        dsn: str,
        workflows: list[Callable[..., Any]],
        *,
        concurrency: int = 4,
        **store_options: Any,
    ) -> None:
        self.dsn = dsn
        self.workflows = workflows
        self.concurrency = concurrency
        self.store_options = store_options
        self.worker: pgqrs.Worker | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="pgqrs-test-worker", daemon=True)

    def start(self) -> BackgroundWorker:
        self._thread.start()
        self._ready.wait(60)
        if self._failure is not None:
            raise self._failure
        return self

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:
            self._failure = exc
            self._ready.set()

    async def _serve(self) -> None:
        self.store_options.setdefault("runner_id", f"test-worker-{uuid.uuid4().hex[:8]}")
        async with await pgqrs.connect(self.dsn, **self.store_options) as store:
            self.worker = pgqrs.Worker(
                store, self.workflows, concurrency=self.concurrency, grace_period=5
            )
            self._ready.set()
            await self.worker.run()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self._thread.join(60)
        if self._failure is not None:
            raise self._failure


@pytest.fixture(scope="session")
def pgqrs_server() -> Iterator[Server]:
    """The session's PostgreSQL server (see the module docstring)."""
    with server_from_env() as server:
        yield server


@pytest.fixture(scope="session")
def pgqrs_setup_sql() -> str:
    """SQL run in the template database after pgqrs is installed (your tables); none by
    default. Override it in your conftest.py."""
    return ""


@pytest.fixture(scope="session")
def pgqrs_template(pgqrs_server: Server, pgqrs_setup_sql: str) -> Iterator[str]:
    """The DSN of the session's template database, with pgqrs installed."""
    name = f"pgqrs_template_{uuid.uuid4().hex[:8]}"
    dsn = create_database(pgqrs_server.dsn, name)
    try:
        with pgqrs.connect_sync(dsn, listen=False) as store:
            pgqrs.admin(store).install()
            if pgqrs_setup_sql.strip():
                with store.pool.connection() as conn:
                    conn.execute(pgqrs_setup_sql.encode())
        yield dsn
    finally:
        drop_database(pgqrs_server.dsn, name)


@pytest.fixture
def pgqrs_dsn(pgqrs_server: Server, pgqrs_template: str) -> Iterator[str]:
    """The DSN of a fresh database for this test, made from the template, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    template = str(conninfo_to_dict(pgqrs_template)["dbname"])
    create_database(pgqrs_server.dsn, name, template=template)
    try:
        yield dsn_for(pgqrs_server.dsn, name)
    finally:
        drop_database(pgqrs_server.dsn, name)


@pytest.fixture
def pgqrs_store(pgqrs_dsn: str) -> Iterator[pgqrs.SyncStore]:
    """A synchronous store on this test's database."""
    with pgqrs.connect_sync(pgqrs_dsn) as store:
        yield store


@pytest.fixture
def pgqrs_admin(pgqrs_store: pgqrs.SyncStore) -> pgqrs.SyncAdmin:
    """The admin API of :func:`pgqrs_store`."""
    return pgqrs.admin(pgqrs_store)


@pytest.fixture
def pgqrs_worker(pgqrs_dsn: str) -> Iterator[Callable[..., BackgroundWorker]]:
    """Start workers on this test's database: ``pgqrs_worker([flow, ...], concurrency=4,
    **store_options)``; each is stopped (drained) when the test ends."""
    started: list[BackgroundWorker] = []

    def start(workflows: list[Callable[..., Any]], **options: Any) -> BackgroundWorker:
        worker = BackgroundWorker(pgqrs_dsn, workflows, **options).start()
        started.append(worker)
        return worker

    yield start
    for worker in reversed(started):
        worker.stop()
