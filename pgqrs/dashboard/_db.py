"""The dashboard's connections: a pool for reads (the monitoring role suffices) and, when actions
are allowed, a pool for the five action functions (the application role's grants).

Reads go through pgqrs SQL functions only (the statements are in ``pgqrs/_sql.py``), each
connection with a ``statement_timeout`` so that no page can hold the database. Rows come as dicts,
JSON values as their text (:class:`JsonText`): the dashboard shows values, it does not need to
decode them, and a value nested too deep to decode still shows. pgqrs SQLSTATEs are raised as
their :class:`pgqrs.PgqrsError`.

The pools open on the first request, in the server's event loop (also when the dashboard is
mounted in another application, whose lifespan does not reach it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, LiteralString, TypeVar

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import set_json_loads
from psycopg_pool import AsyncConnectionPool

from .. import _dberrors, _sql
from ._html import JsonText

T = TypeVar("T")


def _raw_json(data: bytes | bytearray | memoryview | str) -> JsonText:
    if isinstance(data, str):
        return JsonText(data)
    return JsonText(bytes(data).decode("utf-8"))


class Database:
    """Read and action pools, errors translated, a small cache for the costly reads."""

    def __init__(
        self,
        dsn: str,
        actions_dsn: str | None = None,
        *,
        pool_size: int = 4,
        statement_timeout: float = 10.0,
    ) -> None:
        self.dsn = dsn
        self.actions_dsn = actions_dsn
        self.pool_size = pool_size
        self.statement_timeout = statement_timeout
        self._reads: AsyncConnectionPool | None = None
        self._writes: AsyncConnectionPool | None = None
        self._lock = asyncio.Lock()
        self._cache: dict[object, tuple[float, Any]] = {}
        self._flights: dict[object, asyncio.Future[Any]] = {}

    async def _configure(self, conn: psycopg.AsyncConnection[Any]) -> None:
        set_json_loads(_raw_json, conn)
        await conn.execute(_sql.DASHBOARD_TIMEOUT, (f"{int(self.statement_timeout * 1000)}",))

    def _pool(self, dsn: str) -> AsyncConnectionPool:
        return AsyncConnectionPool(
            dsn,
            min_size=1,
            max_size=self.pool_size,
            kwargs={"autocommit": True},
            configure=self._configure,
            open=False,
            timeout=max(self.statement_timeout, 5.0),
        )

    async def _read_pool(self) -> AsyncConnectionPool:
        if self._reads is None:
            async with self._lock:
                if self._reads is None:
                    pool = self._pool(self.dsn)
                    await pool.open(wait=True, timeout=30)
                    self._reads = pool
        return self._reads

    async def _write_pool(self) -> AsyncConnectionPool:
        if self.actions_dsn is None:
            return await self._read_pool()
        if self._writes is None:
            async with self._lock:
                if self._writes is None:
                    pool = self._pool(self.actions_dsn)
                    await pool.open(wait=True, timeout=30)
                    self._writes = pool
        return self._writes

    async def close(self) -> None:
        for flight in list(self._flights.values()):
            flight.cancel()
        for pool in (self._reads, self._writes):
            if pool is not None:
                await pool.close()
        self._reads = self._writes = None

    async def rows(self, query: LiteralString, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of one read, as dicts."""
        pool = await self._read_pool()
        try:
            async with pool.connection() as conn:
                cur = conn.cursor(row_factory=dict_row)
                await cur.execute(query, params)
                return await cur.fetchall() if cur.description is not None else []
        except psycopg.Error as exc:
            raise _translated(exc) from exc

    async def one(self, query: LiteralString, params: Sequence[Any] = ()) -> dict[str, Any]:
        found = await self.rows(query, params)
        return found[0] if found else {}

    async def act(self, query: LiteralString, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """One action: one pgqrs function call on the actions pool, in its own transaction."""
        pool = await self._write_pool()
        try:
            async with pool.connection() as conn:
                cur = await conn.execute(query, params)
                return await cur.fetchall() if cur.description is not None else []
        except psycopg.Error as exc:
            raise _translated(exc) from exc

    async def cached(self, key: object, seconds: float, fetch: Callable[[], Awaitable[T]]) -> T:
        """``fetch()``, reused for ``seconds``, for the reads that cost more than a page (counts
        over the whole table). Concurrent requests share one call. Once a value exists, a
        request that finds it older than ``seconds`` gets it at once and starts the refresh in
        the background: only the very first request waits for the read."""
        hit = self._cache.get(key)
        if hit is not None:
            if time.monotonic() - hit[0] >= seconds and key not in self._flights:
                self._start(key, fetch).add_done_callback(_quiet)
            value: T = hit[1]
            return value
        flight = self._flights.get(key) or self._start(key, fetch)
        shared: T = await asyncio.shield(flight)
        return shared

    def _start(self, key: object, fetch: Callable[[], Awaitable[T]]) -> asyncio.Future[Any]:
        async def run() -> T:
            try:
                value = await fetch()
                self._cache[key] = (time.monotonic(), value)
                return value
            finally:
                self._flights.pop(key, None)

        task = asyncio.ensure_future(run())
        self._flights[key] = task
        return task


def _quiet(task: asyncio.Future[Any]) -> None:
    """A background refresh that failed: the next request reads again (and shows the error)."""
    if not task.cancelled():
        task.exception()


def _translated(exc: psycopg.Error) -> Exception:
    mapped = _dberrors.translate(exc)
    return mapped if mapped is not None else exc
