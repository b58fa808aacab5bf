"""The store: the connection pool, this runner's identity, and every statement's way to the server.

Each client method serializes its arguments, calls one pgqrs SQL function through
:meth:`Store.call` (which translates SQLSTATEs and retries idempotent calls after a lost
connection) and returns a value. Every decision about state is made by the SQL functions.

``_store_sync.py`` is generated from this file (``make gen``): edit this one, not the twin.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Sequence
from datetime import timedelta
from types import TracebackType
from typing import Any, LiteralString

import psycopg
from psycopg.types.json import set_json_loads
from psycopg_pool import AsyncConnectionPool

from . import _codec, _dberrors, _install, _listen, _policy, _retention, _sql, errors
from ._listen import AsyncListener
from ._policy import RetryPolicy
from ._retention import Retention
from ._runtime import default_runner_id

logger = logging.getLogger("pgqrs")


class Store:
    """A connection pool to a database with pgqrs installed, and this runner's identity.

    Make one with :func:`pgqrs.connect`. ``runner_id`` names this process as a lease owner: a
    process restarted with the same runner id takes over its own leases at once. ``lease_seconds``
    is how long a lease lives without a write or heartbeat. Calls that fail on a lost connection
    or a server restart are retried for up to ``retry_timeout`` seconds; every pgqrs call is safe
    to repeat.

    Waiting (``handle.result()``, ``admin.get_event()``, a receive or an await kept in process)
    uses one LISTEN connection per store to ``listen_dsn`` (default: ``dsn``), shared by every
    waiter, with a backstop poll every ``poll_interval`` seconds; an idle worker has its own.
    On the proxy of a cluster (docs/scale-out.md), which hears no notification, a store without
    ``listen_dsn`` LISTENs on every shard instead, with its own login.
    Behind a transaction-pooling PgBouncer, point ``listen_dsn`` at the server itself, or pass
    ``listen=False`` to poll only; ``prepare_threshold=None`` turns prepared statements off.

    ``codec`` stores values that are not plain JSON (:class:`pgqrs.TypedCodec`: dataclasses,
    pydantic models, datetimes, ``Decimal``, ``UUID``...) and reads them back; the default
    accepts plain JSON only.

    ``step_retry`` is the project-wide retry policy of ``@step`` functions (default: no retries);
    a step's own ``retries=``/``retry=`` override it. A wait that ends within
    ``inline_wait_max`` seconds (a retry's backoff, a sleep, a receive's timeout) happens in
    process; a longer one suspends the workflow, freeing the worker and its connection, and a
    worker resumes it when it is due (or, for a receive or a child, when it is woken).

    ``retention`` (a :class:`pgqrs.Retention`, a timedelta or seconds; default None: keep
    everything) makes every worker of this store prune finished workflows older than that
    window in the background (docs/retention.md).
    """

    def __init__(
        self,
        pool: AsyncConnectionPool,
        *,
        dsn: str,
        runner_id: str,
        lease_seconds: float,
        retry_timeout: float,
        listen_dsn: str | None = None,
        listen: bool = True,
        poll_interval: float = 5.0,
        step_retry: RetryPolicy = _policy.NO_RETRIES,
        inline_wait_max: float = 2.0,
        retention: Retention | None = None,
        codec: _codec.Codec = _codec.JSON,
    ) -> None:
        self.pool = pool
        self.dsn = dsn
        self.runner_id = runner_id
        self.lease_seconds = lease_seconds
        self.retry_timeout = retry_timeout
        self.listen_dsn = listen_dsn or dsn
        self.listen = listen
        self.poll_interval = poll_interval
        self.step_retry = step_retry
        self.inline_wait_max = inline_wait_max
        self.retention = retention
        self.codec = codec
        self._listen_given = listen_dsn is not None
        self._shard_dsns: tuple[str, ...] = ()
        self.listener = AsyncListener(self.listen_dsn, enabled=listen, targets=self.listen_dsns)
        self._schema_checked = False
        self._notify_key: bytes | None = None

    @classmethod
    async def connect(
        cls,
        dsn: str | None = None,
        *,
        runner_id: str | None = None,
        lease_seconds: float = 30.0,
        pool_size: int = 4,
        retry_timeout: float = 30.0,
        listen_dsn: str | None = None,
        listen: bool = True,
        poll_interval: float = 5.0,
        prepare_threshold: int | None = 5,
        step_retry: RetryPolicy | None = None,
        inline_wait_max: float = 2.0,
        retention: Retention | timedelta | float | None = None,
        codec: _codec.Codec | None = None,
        connect_timeout: float = 10.0,
    ) -> Store:
        """Open a store on ``dsn``, a libpq connection string or URL; see :class:`Store`.

        Without ``dsn``, ``$PGQRS_DSN``, else libpq's own ``PGHOST``, ``PGPORT``,
        ``PGDATABASE``, ``PGUSER``, ``PGPASSWORD``... (as ``psql`` reads them). A database that
        cannot be reached fails at once, within ``connect_timeout`` seconds, with libpq's message
        (ConnectionFailedError); once connected, lost connections are retried for
        ``retry_timeout`` seconds.
        """
        if not lease_seconds > 0:
            raise errors.InvalidArgumentError(f"lease_seconds must be positive: {lease_seconds}")
        if not poll_interval > 0:
            raise errors.InvalidArgumentError(f"poll_interval must be positive: {poll_interval}")
        if not inline_wait_max >= 0:
            raise errors.InvalidArgumentError(
                f"inline_wait_max must not be negative, got {inline_wait_max}"
            )
        retention_options = _retention.retention_option(retention)
        dsn = resolve_dsn(dsn)
        await _probe(dsn, connect_timeout)
        pool = AsyncConnectionPool(
            dsn,
            min_size=1,
            max_size=max(pool_size, 2),
            kwargs={"autocommit": True, "prepare_threshold": prepare_threshold},
            configure=_configure,
            timeout=retry_timeout,
            open=False,
        )
        await pool.open(wait=True, timeout=retry_timeout)
        return cls(
            pool,
            dsn=dsn,
            runner_id=runner_id or default_runner_id(),
            lease_seconds=lease_seconds,
            retry_timeout=retry_timeout,
            listen_dsn=listen_dsn,
            listen=listen,
            poll_interval=poll_interval,
            step_retry=step_retry or _policy.NO_RETRIES,
            inline_wait_max=inline_wait_max,
            retention=retention_options,
            codec=codec or _codec.JSON,
        )

    async def close(self) -> None:
        await self.listener.close()
        await self.pool.close()

    async def tag(self, subject: str) -> str:
        """The notification payload pgqrs sends for ``subject`` (``pgqrs.notify_tag``),
        computed here from the install's key, read once per store."""
        if self._notify_key is None:
            self._notify_key = bytes((await self.call(_sql.NOTIFY_KEY))[0][0])
        return _listen.tag(self._notify_key, subject)

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def check_schema(self) -> None:
        """Check once per store that the installed pgqrs schema fits this client.

        Raises SchemaError, saying what to run, when pgqrs is missing, older than the scripts
        this package ships, or newer and no longer serving this client version.
        """
        if self._schema_checked:
            return
        scripts = _install.Scripts.load()
        try:
            row = (await self.call(_sql.SCHEMA_STATE, check=False))[0]
        except (psycopg.errors.UndefinedFunction, psycopg.errors.InvalidSchemaName) as exc:
            raise errors.SchemaError(
                "pgqrs is not installed in this database: " + _install.not_installed_hint()
            ) from exc
        installed, extension, proxy = row
        if proxy:
            await self._find_shards()
        min_client = None
        if _install.version_key(installed) > _install.version_key(scripts.latest):
            min_client = str((await self.call(_sql.MIN_CLIENT_VERSION, check=False))[0][0])
        _install.check_schema_version(
            str(installed),
            min_client,
            client=_install.CLIENT_VERSION,
            required=scripts.latest,
            extension=extension is not None,
        )
        self._schema_checked = True

    async def _find_shards(self) -> None:
        """On a proxy: the shards, where waiters and workers LISTEN (the proxy hears nothing)."""
        try:
            rows = await self.call(_sql.PROXY_SHARDS, check=False)
        except errors.InsufficientPrivilegeError as exc:
            logger.warning("pgqrs: cannot list the cluster's shards (%s); waits poll instead", exc)
            return
        self._shard_dsns = tuple(_listen.listen_conninfo(self.dsn, str(row[1])) for row in rows)

    async def listen_dsns(self) -> tuple[str, ...]:
        """Where this store LISTENs: ``listen_dsn`` when given; on the proxy of a cluster, every
        shard; else ``dsn``."""
        if self._listen_given:
            return (self.listen_dsn,)
        if not self._schema_checked:
            await self.check_schema()
        return self._shard_dsns or (self.listen_dsn,)

    async def call(
        self,
        query: LiteralString,
        params: Sequence[Any] = (),
        *,
        retry: bool = True,
        check: bool = True,
    ) -> list[tuple[Any, ...]]:
        """Run one pgqrs statement and return its rows.

        A pgqrs SQLSTATE is raised as its PgqrsError. With ``retry``, a lost connection, a server
        restart, a serialization failure or a deadlock is retried with backoff until
        ``retry_timeout`` passes. The first call checks the schema version (``check_schema``)
        unless ``check`` is false.
        """
        return (await self.call_many(((query, params),), retry=retry, check=check))[0]

    async def call_many(
        self,
        statements: Sequence[tuple[LiteralString, Sequence[Any]]],
        *,
        retry: bool = True,
        check: bool = True,
    ) -> list[list[tuple[Any, ...]]]:
        """Run pgqrs statements in one transaction and one round trip; return the rows of each.
        They commit together or not at all; errors and retries as in :meth:`call` (every pgqrs
        call is safe to repeat, so a batch of them is too).

        A batch goes in pipeline mode with one Sync at its end, which makes it one implicit
        transaction; its statements are bound and prepared by the server like single ones. (One
        simple-protocol query with the values quoted in the client costs less client CPU, but
        the server then parses and plans every call again, which cost more at concurrency 1.)"""
        if check and not self._schema_checked:
            await self.check_schema()
        for query, params in statements:
            _codec.check_text_params(query, params)
        deadline = time.monotonic() + self.retry_timeout
        delay = 0.02
        while True:
            try:
                # getconn/putconn rather than pool.connection(): the same, minus a context
                # manager per call on the hot path. The connection is in autocommit mode.
                conn = await self.pool.getconn()
                try:
                    if len(statements) == 1:
                        cur = await conn.execute(*statements[0])
                        # pgresult's status, not description: that builds Column objects.
                        return [await cur.fetchall() if _has_rows(cur.pgresult) else []]
                    async with conn.pipeline():
                        cursors = [await conn.execute(q, p) for q, p in statements]
                    return [await c.fetchall() if _has_rows(c.pgresult) else [] for c in cursors]
                finally:
                    await self.pool.putconn(conn)
            except psycopg.Error as exc:
                mapped = _dberrors.translate(exc)
                if mapped is not None:
                    raise mapped from exc
                if (
                    not (retry and _dberrors.is_transient(exc))
                    or time.monotonic() + delay > deadline
                ):
                    raise
                logger.warning("retrying after %s: %s", type(exc).__name__, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)


def resolve_dsn(dsn: str | None) -> str:
    """The connection string to use: ``dsn``, else ``$PGQRS_DSN``, else ``""`` (libpq then
    reads its ``PG*`` variables and defaults). InvalidArgumentError when libpq cannot parse it."""
    if dsn is None:
        dsn = os.environ.get("PGQRS_DSN") or ""
    try:
        psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise errors.InvalidArgumentError(
            f"invalid connection string: {_first_line(exc)}"
        ) from None
    return dsn


async def _probe(dsn: str, seconds: float) -> None:
    """Connect once, so that a database that cannot be reached (a wrong host, port, database,
    user or password) fails now with libpq's message, not after the pool's retry timeout."""
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    if "connect_timeout" not in params:
        dsn = psycopg.conninfo.make_conninfo(dsn, connect_timeout=max(1, round(seconds)))
    try:
        conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
    except psycopg.OperationalError as exc:
        raise errors.ConnectionFailedError(
            f"cannot connect to the database ({_describe(params)}): {_first_line(exc)}"
        ) from exc
    await conn.close()


def _describe(params: dict[str, Any]) -> str:
    """Where a connection string points, without its password."""
    host = params.get("host") or os.environ.get("PGHOST") or "the default socket"
    port = params.get("port") or os.environ.get("PGPORT")
    database = params.get("dbname") or os.environ.get("PGDATABASE")
    user = params.get("user") or os.environ.get("PGUSER")
    where = f"host {host}" + (f", port {port}" if port else "")
    where += f", database {database}" if database else ""
    return where + (f", user {user}" if user else "")


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return " ".join(lines[:2]) if lines else type(exc).__name__


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    """Every pool connection decodes JSON with :func:`_codec.loads`, so that a stored value
    nested too deep to decode raises InvalidValueError, not RecursionError."""
    set_json_loads(_codec.loads, conn)


def _has_rows(result: Any) -> bool:
    return result is not None and result.status == psycopg.pq.ExecStatus.TUPLES_OK


# Open a Store on ``dsn``, a libpq connection string or URL; the options are described on
# Store. The same function as Store.connect, so the two cannot drift.
connect = Store.connect
