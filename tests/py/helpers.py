"""Small helpers for the Python tests: child processes, polling, the fake clock."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest

import pgqrs

HERE = Path(__file__).resolve().parent
T = TypeVar("T")


def poll(
    fn: Callable[[], T], *, timeout: float = 60.0, what: str = "condition", every: float = 0.01
) -> T:
    """Call ``fn`` every ``every`` seconds until it returns a truthy value, or fail after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def step_status(dsn: str, workflow_id: Any, key: str) -> str | None:
    """The stored status of one step, None while it has no row (a new step gets its row with
    its outcome, or once it has run for pgqrs's BEGIN_AFTER, 50 ms). Through the API, so that
    it works through a proxy too."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT status FROM pgqrs.list_steps(%s) WHERE step_key = %s", (workflow_id, key)
        ).fetchone()
    return None if row is None else str(row[0])


async def until_running(dsn: str, workflow_id: Any, key: str) -> None:
    """Wait until step ``key`` has its RUNNING mark (a step gets it after 50 ms of running)."""
    await poll_async(
        lambda: asyncio.to_thread(step_status, dsn, workflow_id, key),
        lambda status: status == "RUNNING",
    )


async def poll_async(
    fetch: Callable[[], Any], ready: Callable[[Any], bool], limit: float = 30.0
) -> Any:
    """Await ``fetch()`` every 10 ms until ``ready(value)``, or fail after ``limit`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while True:
        value = await fetch()
        if ready(value):
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {limit}s; last value {value!r}")
        await asyncio.sleep(0.01)


def run_psql_script(
    dsn: str,
    script: str,
    tmp_path: Path,
    *,
    quiet: bool = True,
    cwd: Path | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (a docs example) with ``psql -X -v ON_ERROR_STOP=1 -f`` against ``dsn``,
    from ``cwd``; fail the test when psql is missing or the script stops with an error."""
    import pytest

    path = tmp_path / "script.sql"
    path.write_text(script, encoding="utf-8")
    psql = shutil.which("psql")
    if psql is None:
        pytest.fail("psql not found on PATH: install the PostgreSQL client (postgresql-client)")
    cmd = [psql, "-v", "ON_ERROR_STOP=1", "-X", *(["-q"] if quiet else []), "-d", dsn]
    proc = subprocess.run(
        [*cmd, "-f", str(path)],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, f"psql exited {proc.returncode}:\n{proc.stderr}\n{proc.stdout}"
    return proc


# A core test that moves the clock: pgqrs.fake_now is a setting of the caller's session, which a
# proxy does not pass on to the shards, so it runs directly only (conftest.py, PROXY_MODULES).
FAKE_CLOCK = pytest.mark.no_proxy(reason="moves the pgqrs clock (pgqrs.fake_now)")


def with_fake_now(dsn: str, when: datetime) -> str:
    """A DSN whose sessions run with ``pgqrs.fake_now`` set: the pgqrs clock reads ``when``."""
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{dsn} options='-c pgqrs.fake_now={stamp}'"


def server_now(dsn: str) -> datetime:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("select pg_catalog.clock_timestamp()").fetchone()
    assert row is not None
    value: datetime = row[0]
    return value


def later(dsn: str, seconds: float) -> datetime:
    return server_now(dsn) + timedelta(seconds=seconds)


def child(dsn: str, workflow_id: object, mode: str, *args: str) -> subprocess.Popen[str]:
    """Start tests/py/child.py in a new process."""
    return subprocess.Popen(
        [sys.executable, str(HERE / "child.py"), dsn, str(workflow_id), mode, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def finish(proc: subprocess.Popen[str], timeout: float = 60.0) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def setup_effects(dsn: str) -> None:
    from flows import EFFECTS_DDL

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(EFFECTS_DDL)


def fetch(dsn: str, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows of one statement, run in its own autocommit connection (as the DSN's role)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description is not None else []


def wait_until_blocked(dsn: str, pid: int, *, timeout: float = 30.0) -> None:
    """Wait until backend ``pid`` waits for a lock (a row lock, or a conflicting insert)."""
    poll(
        lambda: fetch(
            dsn,
            "select 1 from pg_catalog.pg_stat_activity where pid = %s and wait_event_type = 'Lock'",
            (pid,),
        ),
        timeout=timeout,
        what=f"backend {pid} to wait for a lock",
    )


@contextlib.asynccontextmanager
async def worker_on(
    dsn: str, workflows: list[Any], *, concurrency: int = 4, **store_options: Any
) -> AsyncIterator[tuple[pgqrs.Worker, pgqrs.Store, pgqrs.Admin]]:
    """A store on ``dsn`` and a worker serving ``workflows`` in this process, stopped (and its
    failure, if it died, raised) on exit."""
    store_options.setdefault("runner_id", "w1")
    async with await pgqrs.connect(dsn, **store_options) as store:
        worker = pgqrs.Worker(store, workflows, concurrency=concurrency, grace_period=5)
        task = asyncio.create_task(worker.run())
        try:
            yield worker, store, pgqrs.admin(store)
        finally:
            worker.stop()
            await asyncio.wait_for(task, 30)


@contextlib.asynccontextmanager
async def running_worker(store: Any, workflows: list[Any], **kwargs: Any) -> AsyncIterator[Any]:
    """A ``pgqrs.Worker(store, workflows, **kwargs)`` running in the background for the block;
    stopped (drained) at its end."""
    import pgqrs

    worker = pgqrs.Worker(store, workflows, **kwargs)
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        worker.stop()
        await asyncio.wait_for(task, 30)
