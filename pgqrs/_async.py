"""The asyncio client: store, admin, workflow context and step guard.

``_sync.py`` is generated from this file by ``tools/gen_sync.py`` (``make gen``); edit this one.
Each method serializes its arguments, calls one pgqrs SQL function through ``Store.call`` (which
translates SQLSTATEs and retries idempotent calls after a lost connection) and returns a value.
Every decision about state is made by the SQL functions.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Literal, LiteralString
from uuid import UUID

import psycopg
from psycopg_pool import AsyncConnectionPool

from . import _codec, _dberrors, _install, _policy, _replay, _results, _runtime, _sql, errors
from ._policy import RetryPolicy
from ._results import (
    StepAttempt,
    StepInfo,
    WorkerInfo,
    WorkflowCount,
    WorkflowInfo,
    WorkflowSummary,
)
from ._runtime import AsyncTicker, default_runner_id

logger = logging.getLogger("pgqrs")

# A step that starts without begin_step (see Run.fresh) gets its RUNNING row this many seconds
# after it started, if it is still running: a short step costs one statement (record_step), and a
# long one still shows as RUNNING, with its attempt counted if its runner dies.
BEGIN_AFTER = 0.05


class Store:
    """A connection pool to a database with pgqrs installed, and this runner's identity.

    Make one with :func:`pgqrs.connect`. ``runner_id`` names this process as a lease owner: a
    process restarted with the same runner id takes over its own leases at once. ``lease_seconds``
    is how long a lease lives without a write or heartbeat. Calls that fail on a lost connection
    or a server restart are retried for up to ``retry_timeout`` seconds; every pgqrs call is safe
    to repeat.

    Waiting (``handle.result()``, idle workers) uses LISTEN on a dedicated connection to
    ``listen_dsn`` (default: ``dsn``), with a backstop poll every ``poll_interval`` seconds. Behind
    a transaction-pooling PgBouncer, point ``listen_dsn`` at the server itself, or pass
    ``listen=False`` to poll only; ``prepare_threshold=None`` turns prepared statements off.

    ``step_retry`` is the project-wide retry policy of ``@step`` functions (default: no retries);
    a step's own ``retries=``/``retry=`` override it. A wait that ends within
    ``inline_wait_max`` seconds (a retry's backoff, a sleep, a receive's timeout) happens in
    process; a longer one suspends the workflow, freeing the worker and its connection, and a
    worker resumes it when it is due (or, for a receive or a child, when it is woken).
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
        self._schema_checked = False

    @classmethod
    async def connect(
        cls,
        dsn: str,
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
    ) -> Store:
        """Open a store on ``dsn``, a libpq connection string or URL; see :class:`Store`."""
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        if poll_interval <= 0:
            raise ValueError("poll_interval must be positive")
        if inline_wait_max < 0:
            raise ValueError("inline_wait_max must not be negative")
        pool = AsyncConnectionPool(
            dsn,
            min_size=1,
            max_size=max(pool_size, 2),
            kwargs={"autocommit": True, "prepare_threshold": prepare_threshold},
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
        )

    async def close(self) -> None:
        await self.pool.close()

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
            installed, extension = (await self.call(_sql.SCHEMA_STATE, check=False))[0]
        except (psycopg.errors.UndefinedFunction, psycopg.errors.InvalidSchemaName) as exc:
            raise errors.SchemaError(
                "pgqrs is not installed in this database: run `pgqrs install` (or CREATE "
                "EXTENSION pgqrs, or psql -f sql/pgqrs--VERSION.sql)"
            ) from exc
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
                logger.warning("pgqrs: retrying after %s: %s", type(exc).__name__, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)


def _has_rows(result: Any) -> bool:
    return result is not None and result.status == psycopg.pq.ExecStatus.TUPLES_OK


class Admin:
    """Installs the schema, creates workflows and looks them up. Make one with
    :func:`pgqrs.admin`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def install(self) -> list[str]:
        """Install or upgrade the pgqrs schema; return the scripts applied (none when current).

        Runs in one transaction under an advisory lock, so concurrent installers are safe: the
        first applies the scripts, the others wait for it and then find nothing to do.
        """
        scripts = _install.Scripts.load()
        async with self.store.pool.connection() as conn, conn.transaction():
            await conn.execute(_sql.INSTALL_LOCK, (_sql.INSTALL_LOCK_KEY,))
            cur = await conn.execute(_sql.INSTALL_STATE)
            row = await cur.fetchone()
            assert row is not None
            has_schema, has_ledger, extension = row
            installed: set[str] | None = None
            if has_schema and extension is None:
                if not has_ledger:
                    raise errors.SchemaError(
                        "schema pgqrs exists but has no pgqrs.ledger: it was not created by the "
                        "pgqrs install scripts"
                    )
                cur = await conn.execute(_sql.LEDGER_VERSIONS)
                installed = {version for (version,) in await cur.fetchall()}
            plan = scripts.plan(installed, extension=extension)
            for path in plan:
                logger.info("pgqrs: applying %s", path.name)
                await conn.execute(path.read_bytes())
        return [path.name for path in plan]

    async def version(self) -> str:
        """The version of the installed pgqrs SQL."""
        rows = await self.store.call(_sql.VERSION, check=False)
        return str(rows[0][0])

    async def create_workflow(
        self,
        name: str,
        input: Any = None,
        *,
        id: UUID | str | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        deadline: datetime | None = None,
        retries: int | None = None,
        retry_backoff: float | None = None,
        retry_max_backoff: float | None = None,
    ) -> PyWorkflow:
        """Store a new PENDING workflow and return its context.

        With ``id`` or ``idempotency_key``, creating again returns the same workflow (and raises
        IdempotencyConflictError if the name or input differ). ``timeout`` (seconds from now) or
        ``deadline`` cancels the workflow if it has not finished by then. ``retries`` re-runs
        the whole workflow from its last completed step after a failure, up to that many times,
        on a worker, after a backoff of ``retry_backoff`` seconds doubling up to
        ``retry_max_backoff``. See docs/failures.md.
        """
        payload = _codec.encode(input, f"input of workflow {name!r}")
        options = _policy.workflow_options(
            id=id,
            idempotency_key=idempotency_key,
            queue=False,
            timeout=timeout,
            deadline=deadline,
            retries=retries,
            retry_backoff=retry_backoff,
            retry_max_backoff=retry_max_backoff,
        )
        rows = await self.store.call(
            _sql.SUBMIT_WORKFLOW,
            (name, payload, options),
            retry=id is not None or idempotency_key is not None,
        )
        return PyWorkflow(self.store, rows[0][0], name, _codec.roundtrip(payload))

    async def workflow(self, workflow_id: UUID | str) -> PyWorkflow:
        """The context of an existing workflow, to run or resume it from any process.

        Raises WorkflowNotFoundError for an unknown id.
        """
        info = await self.get_workflow(workflow_id)
        return PyWorkflow(self.store, info.id, info.name, info.input)

    async def get_workflow(self, workflow_id: UUID | str) -> WorkflowInfo:
        """Status, values and lease of one workflow."""
        rows = await self.store.call(_sql.DESCRIBE_WORKFLOW, (_codec.as_uuid(workflow_id),))
        return _results.workflow_info(rows[0])

    async def list_steps(self, workflow_id: UUID | str) -> list[StepInfo]:
        """The recorded steps of one workflow, in the order they started."""
        rows = await self.store.call(_sql.LIST_STEPS, (_codec.as_uuid(workflow_id),))
        return [_results.step_info(row) for row in rows]

    async def list_step_attempts(self, workflow_id: UUID | str) -> list[StepAttempt]:
        """Every attempt of every step, in run order: failed ones with their error, and each
        step's current attempt, with the runner (lease owner) that made it and its times."""
        rows = await self.store.call(_sql.LIST_STEP_ATTEMPTS, (_codec.as_uuid(workflow_id),))
        return [_results.step_attempt(row) for row in rows]

    async def start_workflow(
        self,
        workflow: str | Callable[..., Any],
        input: Any = None,
        *,
        id: UUID | str | None = None,
        idempotency_key: str | None = None,
        run_at: datetime | None = None,
        max_recoveries: int | None = None,
        timeout: float | None = None,
        deadline: datetime | None = None,
        retries: int | None = None,
        retry_backoff: float | None = None,
        retry_max_backoff: float | None = None,
    ) -> WorkflowHandle:
        """Enqueue a workflow for workers and return a handle at once.

        ``workflow`` is a ``@workflow`` function or its name. A worker that serves the name runs
        it as ``fn(ctx, input)``, from ``run_at`` on (now by default). Idempotent on ``id`` and
        ``idempotency_key`` as :meth:`create_workflow` is. ``max_recoveries`` (default 5) caps
        how often the workflow may be resumed after its worker died before it is moved to DEAD.
        ``timeout``, ``deadline`` and the workflow ``retries`` are as in :meth:`create_workflow`;
        a ``@workflow(timeout=..., retries=...)`` function supplies its own defaults.
        """
        name = _policy.workflow_name(workflow)
        payload = _codec.encode(input, f"input of workflow {name!r}")
        options = _policy.workflow_options(
            id=id,
            idempotency_key=idempotency_key,
            queue=True,
            run_at=run_at,
            max_recoveries=max_recoveries,
            deadline=deadline,
            **_policy.with_defaults(
                workflow,
                timeout=timeout,
                retries=retries,
                retry_backoff=retry_backoff,
                retry_max_backoff=retry_max_backoff,
            ),
        )
        rows = await self.store.call(
            _sql.SUBMIT_WORKFLOW,
            (name, payload, options),
            retry=id is not None or idempotency_key is not None,
        )
        return WorkflowHandle(self.store, rows[0][0])

    def handle(self, workflow_id: UUID | str) -> WorkflowHandle:
        """A handle on an existing workflow, to wait for its result."""
        return WorkflowHandle(self.store, _codec.as_uuid(workflow_id))

    async def revive_workflow(self, workflow_id: UUID | str) -> None:
        """Put a DEAD workflow back in the queue with a fresh recovery budget."""
        await self.store.call(_sql.REVIVE_WORKFLOW, (_codec.as_uuid(workflow_id),))

    async def cancel_workflow(self, workflow_id: UUID | str, reason: str | None = None) -> bool:
        """Cancel a workflow that is not finished: it becomes CANCELLED, and a runner still
        running it stops at its next step or heartbeat. Returns False, changing nothing, when
        the workflow was already SUCCESS, FAILED or CANCELLED."""
        rows = await self.store.call(_sql.CANCEL_WORKFLOW, (_codec.as_uuid(workflow_id), reason))
        return bool(rows[0][0])

    async def resume_workflow(self, workflow_id: UUID | str) -> WorkflowHandle:
        """Run a FAILED, DEAD or CANCELLED workflow again on a worker, from where it stopped:
        completed steps stay completed, failed steps get a fresh attempt budget."""
        # Not repeated after a lost connection: a repeat of a resume that went through would
        # find the workflow RUNNING and raise. The caller can look at its status instead.
        await self.store.call(_sql.RESUME_WORKFLOW, (_codec.as_uuid(workflow_id),), retry=False)
        return self.handle(workflow_id)

    async def fork_workflow(
        self,
        workflow_id: UUID | str,
        from_step: str | None = None,
        *,
        new_id: UUID | str | None = None,
    ) -> WorkflowHandle:
        """Copy a workflow into a new one, queued for workers, that keeps the outcomes of the
        steps before ``from_step`` (a step key, such as ``"charge"`` or ``"charge#2"``) and runs
        that step and every later one again; ``from_step=None`` runs everything again. The
        source is left as it is. With ``new_id``, forking again returns the same fork."""
        rows = await self.store.call(
            _sql.FORK_WORKFLOW,
            (
                _codec.as_uuid(workflow_id),
                from_step,
                None if new_id is None else _codec.as_uuid(new_id),
            ),
            retry=new_id is not None,
        )
        return self.handle(rows[0][0])

    async def send(
        self,
        workflow_id: UUID | str,
        topic: str,
        message: Any = None,
        *,
        idempotency_key: str | None = None,
    ) -> int:
        """Send ``message`` to a workflow under ``topic``, from outside any workflow; it receives
        it with ``ctx.recv(topic)``, in the order sent. With ``idempotency_key``, sending again
        delivers nothing twice (and a lost connection is retried). Returns the message id."""
        payload = _codec.encode(message, f"message on topic {topic!r}")
        rows = await self.store.call(
            _sql.SEND_MESSAGE,
            (_codec.as_uuid(workflow_id), topic, payload, idempotency_key),
            retry=idempotency_key is not None,
        )
        return int(rows[0][0])

    async def get_event(
        self, workflow_id: UUID | str, key: str, timeout: float | None = None
    ) -> Any:
        """The value a workflow published under event ``key`` (``ctx.set_event``), waiting up
        to ``timeout`` seconds for it to be set (None: as long as it takes). Raises
        WaitTimeoutError when it is not set in time. Woken by NOTIFY pgqrs_event, with a
        backstop check every ``poll_interval`` seconds (the only one with ``listen=False``)."""
        target = _codec.as_uuid(workflow_id)
        deadline = None if timeout is None else time.monotonic() + timeout

        async def read() -> tuple[bool, Any]:
            found, value = (await self.store.call(_sql.GET_EVENT, (target, key)))[0]
            return bool(found), value

        def wait_time() -> float:
            if deadline is None:
                return self.store.poll_interval
            left = deadline - time.monotonic()
            if left <= 0:
                raise errors.WaitTimeoutError(f"event {key!r} of workflow {target} was not set")
            return min(left, self.store.poll_interval)

        if not self.store.listen:
            while True:
                found, value = await read()
                if found:
                    return value
                await asyncio.sleep(wait_time())
        async with await psycopg.AsyncConnection.connect(
            self.store.listen_dsn, autocommit=True
        ) as conn:
            await conn.execute(_sql.LISTEN_EVENT)
            wanted = f"{target} {key}"
            while True:
                found, value = await read()  # after LISTEN: no update can slip in between
                if found:
                    return value
                async for note in conn.notifies(timeout=wait_time()):
                    if note.payload == wanted:
                        break

    async def list_workers(self) -> list[WorkerInfo]:
        """Registered workers: alive or not, and what each is running."""
        rows = await self.store.call(_sql.LIST_WORKERS)
        return [WorkerInfo(*row) for row in rows]

    async def workflow_counts(self) -> list[WorkflowCount]:
        """Workflows by name and status, and whether a live worker serves each name."""
        rows = await self.store.call(_sql.WORKFLOW_COUNTS)
        return [WorkflowCount(*row) for row in rows]

    async def list_workflows(
        self, *, status: str | None = None, name: str | None = None, limit: int = 50
    ) -> list[WorkflowSummary]:
        """The newest workflows, optionally filtered by status and name."""
        rows = await self.store.call(_sql.LIST_WORKFLOWS, (status, name, limit))
        return [WorkflowSummary(*row) for row in rows]


class WorkflowHandle:
    """A workflow running somewhere: wait for its result from any process.

    Get one from :meth:`Admin.start_workflow` or :meth:`Admin.handle`.
    """

    def __init__(self, store: Store, workflow_id: UUID) -> None:
        self.store = store
        self.id = workflow_id

    def __repr__(self) -> str:
        return f"<WorkflowHandle {self.id}>"

    async def info(self) -> WorkflowInfo:
        """Status, values and lease of the workflow, read now."""
        return await Admin(self.store).get_workflow(self.id)

    async def result(self, timeout: float | None = None) -> Any:
        """Wait until the workflow is finished and return its output.

        Raises WorkflowFailedError (FAILED), WorkflowDeadError (DEAD), WorkflowCancelledError
        (CANCELLED, by cancel_workflow or its deadline), or WaitTimeoutError when ``timeout``
        seconds pass first. Woken by NOTIFY pgqrs_done, with a backstop check every
        ``poll_interval`` seconds (the only check when the store has ``listen=False``).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self.store.listen:
            while True:
                info = await self.info()
                if info.done:
                    return info.result()
                await asyncio.sleep(self._wait_time(deadline))
        async with await psycopg.AsyncConnection.connect(
            self.store.listen_dsn, autocommit=True
        ) as conn:
            await conn.execute(_sql.LISTEN_DONE)
            wanted = str(self.id)
            while True:
                info = await self.info()  # after LISTEN, so no completion can slip between
                if info.done:
                    return info.result()
                async for note in conn.notifies(timeout=self._wait_time(deadline)):
                    if note.payload == wanted:
                        break

    def _wait_time(self, deadline: float | None) -> float:
        if deadline is None:
            return self.store.poll_interval
        left = deadline - time.monotonic()
        if left <= 0:
            raise errors.WaitTimeoutError(f"workflow {self.id} did not finish in time")
        return min(left, self.store.poll_interval)


class ChildHandle:
    """A workflow started by :meth:`PyWorkflow.start_child`: ``await handle.result()`` waits
    for it as a recorded step of the parent, freeing the worker while it waits."""

    def __init__(self, parent: PyWorkflow, workflow_id: UUID) -> None:
        self.parent = parent
        self.id = workflow_id

    def __repr__(self) -> str:
        return f"<ChildHandle {self.id} of {self.parent.id}>"

    async def result(self, timeout: float | None = None) -> Any:
        """The child's output, or its failure raised as WorkflowFailedError (WorkflowDeadError,
        WorkflowCancelledError). With ``timeout``, WaitTimeoutError when it passes first; that
        outcome is recorded, so a replay raises it again."""
        return await self.parent._await_workflow(self.id, timeout)


@dataclass(frozen=True, slots=True)
class StepResult:
    """What :meth:`PyWorkflow.acquire_step` returns.

    ``status`` is "SKIPPED" (the step succeeded before; ``value`` is its stored result and
    ``guard`` is None) or "EXECUTE" (run it, then call ``guard.success(v)`` or ``guard.fail(e)``).
    """

    status: Literal["SKIPPED", "EXECUTE"]
    value: Any
    guard: StepGuard | None


class StepGuard:
    """Records the outcome of one acquired step. Each call is one durable write.

    A new step starts without a round trip: its row is written with its outcome, by
    ``pgqrs.record_step``. One still running after ``BEGIN_AFTER`` (50 ms) is marked RUNNING by
    ``pgqrs.begin_step`` in the background, so that it shows as running and its attempt counts if
    this process dies. Any other step (with a timeout, retried, or left RUNNING by a runner that
    died) was begun by ``begin_step`` before its guard was made.
    """

    def __init__(
        self,
        ctx: PyWorkflow,
        key: str,
        token: int,
        position: int,
        policy: RetryPolicy,
        *,
        begun: bool,
    ) -> None:
        self._ctx = ctx
        self.key = key
        self._token = token
        self._position = position
        self._policy = policy
        self._started = time.monotonic()
        self._elapsed = 0.0
        self._begun = begun
        self._marker: _runtime.AsyncDeferred | None = None
        if not begun:
            self._marker = _runtime.AsyncDeferred(BEGIN_AFTER, self._begin)

    async def success(self, value: Any = None) -> None:
        """Record the step as SUCCESS with ``value`` (JSON-serializable).

        A value that cannot be stored (not JSON, or over the size limit) records the step
        FAILED with that error and raises it (InvalidValueError or PayloadTooLargeError).
        """
        await self._succeed(value)

    async def fail(self, error: BaseException | str) -> None:
        """Record the step as FAILED with an exception (type, message, traceback) or a message."""
        await self._failed(error, False)

    async def _succeed(self, value: Any, *, defer: bool = False) -> Any:
        """Record SUCCESS; returns the value as stored (its JSON round trip).

        With ``defer`` (``@step`` functions), a step without a RUNNING row is not written yet:
        its record joins the run's next write (the next step's start, a wait, or the
        workflow's outcome), in the same round trip and transaction, before anything that may
        depend on it runs. A crash in between runs the step again, as a crash just before the
        write would."""
        try:
            payload = _codec.encode(value, f"output of step {self.key!r}")
        except errors.InvalidValueError as bad:  # not JSON
            await self._failed(bad, False)
            raise
        self._elapsed = time.monotonic() - self._started
        begun = await self._settle()
        if defer and not begun:
            self._ctx._pending.append((self, payload))
        else:
            await self._store(payload)
        return _codec.roundtrip(payload)

    def _statement(self, payload: str) -> tuple[LiteralString, tuple[Any, ...]]:
        """The statement that records this step's SUCCESS: ``complete_step`` for a begun step,
        ``record_step`` (which creates the row) otherwise."""
        ctx = self._ctx
        if self._begun:
            return _sql.COMPLETE_STEP, (ctx.id, self.key, self._token, payload)
        return (
            _sql.RECORD_STEP,
            (ctx.id, self.key, self._token, self._position, payload, self._elapsed),
        )

    async def _store(self, payload: str) -> None:
        """Record SUCCESS now (after the run's deferred records). A value the server cannot
        store (over the size limit) records the step FAILED with that error and raises it."""
        try:
            await self._ctx._call(*self._statement(payload))
        except errors.InvalidValueError as bad:
            await self._failed(bad, False)
            raise

    async def _failed(self, error: BaseException | str, retryable: bool) -> tuple[str, float]:
        """Record a failed attempt; the SQL answers RETRYING (with the delay) or FAILED."""
        ctx = self._ctx
        if not await self._settle():
            await self._begin()
            self._begun = True
        rows = await ctx._call(
            _sql.FAIL_STEP_ATTEMPT,
            (ctx.id, self.key, self._token, _codec.error_text(error), retryable),
        )
        status, _attempt, retry_in = rows[0]
        return str(status), float(retry_in)

    def _abandon(self) -> None:
        """The step ended without an outcome (the run was interrupted): begin nothing more."""
        if self._marker is not None:
            self._marker.cancel()

    async def _settle(self) -> bool:
        """Whether the step has its RUNNING row: stops a pending background begin_step, or waits
        for one that started (raising its error, such as a lost lease)."""
        marker, self._marker = self._marker, None
        if marker is not None and await marker.finish():
            self._begun = True
        return self._begun

    async def _begin(self) -> None:
        ctx = self._ctx
        status = (await ctx._begin_step(self.key, self._token, self._position, self._policy, None))[
            0
        ]
        if status != "EXECUTE":  # only a step with a row can get another answer
            raise errors.InvalidStateError(
                f"step {self.key!r} of workflow {ctx.id} was recorded by another runner"
                f" ({status}) while it ran here",
                sqlstate="PQ005",
            )


class PyWorkflow:
    """The context of one workflow: pass it as the first argument of workflows and steps.

    Get one from :meth:`Admin.create_workflow` or, to resume an existing workflow from any
    process, :meth:`Admin.workflow`. Running a ``@workflow`` function with it acquires the
    workflow's lease (raising WorkflowBusyError if another runner holds it), replays finished
    steps from one loaded snapshot, and records the outcome.
    """

    def __init__(
        self, store: Store, workflow_id: UUID, name: str | None = None, input: Any = None
    ) -> None:
        self.store = store
        self.id = workflow_id
        self.name = name
        self._input = input
        self._run: _replay.Run | None = None
        self._draining: Callable[[], bool] | None = None
        self._cancelled: errors.WorkflowCancelledError | None = None
        self._task: Any = None
        # Successful steps whose records wait for the run's next write (StepGuard._succeed).
        self._pending: list[tuple[StepGuard, str]] = []
        # Set by a worker: a statement to send with the outcome, and who gets its rows.
        self._then: Callable[[], Any] | None = None

    def __repr__(self) -> str:
        return f"<PyWorkflow {self.name!r} {self.id}>"

    @property
    def token(self) -> int | None:
        """The fencing token of the current run (None before the workflow is acquired).

        It grows at every takeover. Pass it along with side effects on other systems to fence
        out writes from a runner that lost its lease.
        """
        return self._run.token if self._run and self._run.final is None else None

    @property
    def input(self) -> Any:
        """The workflow's stored input (as its JSON round trip)."""
        return self._run.input if self._run else self._input

    async def acquire_step(self, name: str) -> StepResult:
        """Acquire the next step called ``name`` (low-level API).

        Returns SKIPPED with the stored value for a step that succeeded before, or EXECUTE with a
        guard to record the outcome; raises StepFailedError for a step that failed before. The
        first call on a fresh context acquires the workflow's lease implicitly.
        """
        run = self._run or await self._acquire()
        key, position = run.next_step(name)
        return await self._acquire_key(run, key, position, _policy.NO_RETRIES, None)

    async def heartbeat(self) -> None:
        """Extend this runner's lease now. Raises LeaseLostError if it was taken over."""
        if self._run is not None and self._run.final is None:
            await self.store.call(_sql.HEARTBEAT, (self.id, self._run.token))

    async def release(self) -> None:
        """Give up the lease without finishing, so another runner may resume at once."""
        run, self._run = self._run, None
        if run is not None and run.final is None:
            await self._call(_sql.RELEASE_WORKFLOW, (self.id, run.token))

    async def info(self) -> WorkflowInfo:
        """Status, values and lease of this workflow, read now."""
        return await Admin(self.store).get_workflow(self.id)

    async def steps(self) -> list[StepInfo]:
        """The recorded steps of this workflow, read now."""
        return await Admin(self.store).list_steps(self.id)

    # -- coordination: durable sleep, messages, events, child workflows -----------------------

    async def sleep(self, seconds: float) -> None:
        """Sleep durably for ``seconds``: the wake time is recorded as a step, so a replay does
        not sleep again. A sleep longer than the store's ``inline_wait_max`` suspends the
        workflow (WorkflowSuspended): no worker or connection is held, and a worker resumes it
        once the wake time has passed."""
        await self._sleep(seconds, None)

    async def sleep_until(self, when: datetime) -> None:
        """Sleep durably until ``when`` (a timezone-aware datetime); see :meth:`sleep`."""
        if when.tzinfo is None:
            raise ValueError(f"sleep_until needs a timezone-aware datetime, got {when!r}")
        await self._sleep(None, when)

    async def _sleep(self, seconds: float | None, until: datetime | None) -> None:
        await self._wait("pgqrs.sleep", _sql.SLEEP_STEP, (seconds, until), "sleeps", poll=False)

    async def send(self, workflow_id: UUID | str, topic: str, message: Any = None) -> None:
        """Send ``message`` to another workflow under ``topic``, exactly once: the send is a
        step, and its idempotency key (this workflow's id and the step key) makes a replay of an
        interrupted send deliver nothing twice."""
        target = _codec.as_uuid(workflow_id)
        payload = _codec.encode(message, f"message on topic {topic!r}")

        async def deliver(key: str) -> Any:
            rows = await self.store.call(
                _sql.SEND_MESSAGE, (target, topic, payload, f"{self.id}/{key}")
            )
            return int(rows[0][0])

        await self._keyed_step("pgqrs.send", deliver)

    async def recv(self, topic: str, timeout: float | None = None, default: Any = None) -> Any:
        """Receive the next message sent to this workflow under ``topic``, waiting up to
        ``timeout`` seconds (None: for as long as it takes). Returns ``default`` when the timeout
        passes first. The outcome is recorded as a step, a timeout too: a replay returns the
        same message, or the same timeout, never a message that came later. A long wait
        suspends the workflow (WorkflowSuspended); a message sent to it wakes it."""
        status, value = await self._wait(
            "pgqrs.recv", _sql.RECV_MESSAGE, (topic, timeout), f"waits for a message on {topic!r}"
        )
        if status == "RECORDED":  # replayed: the stored outcome
            return default if "timeout" in value else value["message"]
        return default if status == "TIMEOUT" else value

    async def set_event(self, key: str, value: Any) -> None:
        """Publish ``value`` under the event ``key`` of this workflow, for
        :meth:`Admin.get_event` to read from anywhere. It is a step: a replay does not put an
        older value back."""
        run = self._run or await self._acquire()
        step_key, position = run.next_step("pgqrs.set_event")
        hit, _value = run.replay(self.id, step_key, position)
        if hit:
            return
        payload = _codec.encode(value, f"event {key!r}")
        self._check_stop(step_key)
        await self._call(_sql.SET_EVENT, (self.id, step_key, run.token, position, key, payload))

    async def start_child(
        self,
        workflow: str | Callable[..., Any],
        input: Any = None,
        *,
        timeout: float | None = None,
        retries: int | None = None,
    ) -> ChildHandle:
        """Start a child workflow for workers, exactly once: the start is a step (a replay
        returns the same child). Cancelling this workflow cancels the child. Wait for it with
        ``await handle.result()``, which is recorded too and frees the worker while it waits."""
        name = _policy.workflow_name(workflow)
        payload = _codec.encode(input, f"input of workflow {name!r}")

        async def start(key: str) -> Any:
            options = _policy.workflow_options(
                idempotency_key=f"{self.id}/{key}",
                queue=True,
                parent_id=self.id,
                **_policy.with_defaults(workflow, timeout=timeout, retries=retries),
            )
            rows = await self.store.call(_sql.SUBMIT_WORKFLOW, (name, payload, options))
            return str(rows[0][0])

        child = await self._keyed_step("pgqrs.start_child", start)
        return ChildHandle(self, _codec.as_uuid(child))

    async def _await_workflow(self, other: UUID, timeout: float | None) -> Any:
        status, value = await self._wait(
            "pgqrs.await", _sql.AWAIT_WORKFLOW, (other, timeout), f"waits for workflow {other}"
        )
        if status == "TIMEOUT" or "timeout" in value:
            raise errors.WaitTimeoutError(f"workflow {other} did not finish in time")
        return _results.awaited_result(other, value)

    async def _wait(
        self,
        name: str,
        query: LiteralString,
        args: tuple[Any, ...],
        what: str,
        *,
        poll: bool = True,
    ) -> tuple[str, Any]:
        """Run a wait step (``sleep_step``, ``recv_message``, ``await_workflow``): its recorded
        outcome from the replay snapshot as ``("RECORDED", output)``, else the SQL's final
        answer ``(status, value)``. Waits the SQL keeps in process are waited here (polling,
        with ``poll``, for what may come early); a suspension raises WorkflowSuspended."""
        run = self._run or await self._acquire()
        key, position = run.next_step(name)
        hit, value = run.replay(self.id, key, position)
        if hit:
            return "RECORDED", value
        while True:
            self._check_stop(key)
            status, value, remaining = (
                await self._call(
                    query,
                    (self.id, key, run.token, position, *args, self.store.inline_wait_max),
                )
            )[0]
            if status not in ("WAIT", "SUSPENDED"):
                return str(status), value
            self._suspended_if(status, remaining, what)
            left = max(remaining or 0.0, 0.0)
            await asyncio.sleep(min(left, 0.05) if poll else left)

    async def _keyed_step(self, name: str, body: Callable[[str], Awaitable[Any]]) -> Any:
        """A step whose body needs its own key (as an idempotency key for what it does)."""
        run = self._run or await self._acquire()
        key, position = run.next_step(name)
        result = await self._acquire_key(run, key, position, _policy.NO_RETRIES, None)
        guard = result.guard
        if guard is None:
            return result.value
        try:
            value = await body(key)
        except BaseException as exc:
            if _policy.is_failure(exc):
                await guard._failed(exc, False)
            else:
                guard._abandon()
            raise
        return await guard._succeed(value)

    def _check_stop(self, key: str) -> None:
        """Before a wait: stop if the workflow was cancelled or the worker is draining."""
        if self._cancelled is not None:
            raise self._cancelled
        if self._draining is not None and self._draining():
            raise errors.WorkerStopping(f"worker stopping: step {key!r} of {self.id} not started")

    def _suspended_if(self, status: str, remaining: float | None, what: str) -> None:
        """After a wait step answered: SUSPENDED means the SQL gave the lease up."""
        if status == "SUSPENDED":
            self._run = None
            raise errors.WorkflowSuspended(
                f"workflow {self.id} {what}; a worker resumes it then",
                remaining if remaining is not None else float("inf"),
            )

    # -- used by the decorators ---------------------------------------------------------------

    async def _acquire(self) -> _replay.Run:
        rows = await self.store.call(
            _sql.ACQUIRE_WORKFLOW, (self.id, self.store.runner_id, self.store.lease_seconds)
        )
        self._run = _replay.acquired(rows[0])
        return self._run

    async def _run_workflow(
        self, fn: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        return await self._execute(await self._acquire(), fn, args, kwargs)

    async def _execute(
        self,
        run: _replay.Run,
        fn: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        """Run a workflow function under ``run`` (acquired, or claimed by a worker)."""
        self._run = run
        if run.final is not None:
            return run.final.result(self.id)
        self._cancelled = None
        self._task = _runtime.current_task()
        ticker = AsyncTicker(self.store.lease_seconds / 3, self._beat)
        ticker.start()
        try:
            try:
                result = await fn(self, *args, **kwargs)
            except BaseException as exc:
                cancelled = self._cancelled
                if cancelled is not None and _policy.is_interruption(exc):
                    _runtime.uncancel_task(self._task)  # the heartbeat cancelled the run
                    await self._record_cancel(cancelled)
                    raise cancelled from None
                if isinstance(exc, errors.WorkflowCancelledError) and exc.workflow_id in (
                    None,
                    str(self.id),
                ):
                    await self._record_cancel(exc)  # this workflow was cancelled: stop
                elif _policy.is_failure(exc) or isinstance(exc, errors.WorkflowCancelledError):
                    # A failure, or the cancellation of another workflow (an awaited child)
                    # that this one did not handle: this workflow fails with it.
                    await self._finish(
                        _sql.FAIL_WORKFLOW, run.token, _policy.workflow_error_text(exc)
                    )
                raise
            try:
                payload = _codec.encode(result, f"output of workflow {self.name or self.id}")
                await self._finish(_sql.COMPLETE_WORKFLOW, run.token, payload)
            except errors.InvalidValueError as bad:  # not JSON, or over the size limit
                await self._finish(_sql.FAIL_WORKFLOW, run.token, _codec.error_text(bad))
                raise
            return _codec.roundtrip(payload)
        finally:
            await ticker.stop()
            self._run = None
            self._pending = []

    async def _run_step(
        self,
        name: str,
        fn: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        retry: _policy.RetryOverrides | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Run one ``@step`` call: replay it, or run it under its retry policy and timeout."""
        run = self._run or await self._acquire()
        key, position = run.next_step(name)
        policy = retry.resolve(self.store.step_retry) if retry else self.store.step_retry
        while True:
            result = await self._acquire_key(run, key, position, policy, timeout)
            guard = result.guard
            if guard is None:
                return result.value
            try:
                value = await _runtime.call_step(fn, self, args, kwargs, timeout, key)
            except BaseException as exc:
                if not _policy.is_failure(exc):
                    guard._abandon()
                    raise
                status, retry_in = await guard._failed(exc, policy.retryable(exc))
                if status == "FAILED":
                    raise
            else:
                return await guard._succeed(value, defer=True)
            await self._wait_for_retry(run, key, retry_in)

    async def _run_transaction_step(
        self,
        name: str,
        fn: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        retry: _policy.RetryOverrides | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Run one ``@transaction`` step: ``fn(ctx, conn, *args)`` and the step's checkpoint
        (``pgqrs.complete_step``) in one database transaction, so both commit or neither does.

        A failure rolls the transaction back and is then recorded on its own (retries apply as
        for ``@step``). A lost connection, a serialization failure or a deadlock also rolls it
        back, or leaves a lost COMMIT's outcome unknown: the step then goes back to
        ``begin_step``, which answers SKIPPED when that commit did happen and EXECUTE when it
        did not, for up to the store's ``retry_timeout``.
        """
        run = self._run or await self._acquire()
        key, position = run.next_step(name)
        policy = retry.resolve(self.store.step_retry) if retry else self.store.step_retry
        lost_since: float | None = None
        delay = 0.02
        while True:
            result = await self._acquire_key(run, key, position, policy, timeout, lazy=False)
            guard = result.guard
            if guard is None:
                return result.value
            try:
                return await self._transact(key, run.token, fn, args, kwargs, timeout)
            except BaseException as exc:
                if _dberrors.is_transient(exc):
                    now = time.monotonic()
                    lost_since = now if lost_since is None else lost_since
                    if now + delay - lost_since > self.store.retry_timeout:
                        raise
                    logger.warning(
                        "pgqrs: step %r of %s: transaction interrupted (%s: %s); asking"
                        " begin_step whether it committed",
                        key,
                        self.id,
                        type(exc).__name__,
                        exc,
                    )
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 1.0)
                    continue
                if not _policy.is_failure(exc):
                    raise
                retryable = policy.retryable(exc) and not isinstance(exc, errors.InvalidValueError)
                status, retry_in = await guard._failed(exc, retryable)
                if status == "FAILED":
                    raise
            await self._wait_for_retry(run, key, retry_in)

    async def _transact(
        self,
        key: str,
        token: int,
        fn: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        timeout: float | None,
    ) -> Any:
        """One attempt of a transactional step, on one pool connection: BEGIN, the step's
        function, ``complete_step`` (fenced by ``token``), COMMIT. Any exception rolls it all
        back. No automatic retry here: Store.call's would leave the transaction."""
        checkpointed = False
        async with self.store.pool.connection() as conn, conn.transaction():
            value = await _runtime.call_step(fn, self, (conn, *args), kwargs, timeout, key)
            payload = _codec.encode(value, f"output of step {key!r}")
            try:
                await conn.execute(_sql.COMPLETE_STEP, (self.id, key, token, payload))
            except psycopg.Error as exc:
                mapped = _dberrors.translate(exc)
                if mapped is not None:
                    raise mapped from exc
                raise
            checkpointed = True
        if not checkpointed:  # psycopg.Rollback raised by the step ended the transaction
            raise RuntimeError(
                f"step {key!r} raised psycopg.Rollback: its transaction rolled back, so no"
                " checkpoint was recorded"
            )
        return _codec.roundtrip(payload)

    async def _acquire_key(
        self,
        run: _replay.Run,
        key: str,
        position: int,
        policy: RetryPolicy,
        timeout: float | None,
        *,
        lazy: bool = True,
    ) -> StepResult:
        """Replay step ``key`` from the snapshot; start a new one (``run.fresh``, no timeout)
        without a round trip; or begin it with ``pgqrs.begin_step``, waiting out (or suspending
        for) a retry that is not due yet."""
        hit, value = run.replay(self.id, key, position)
        if hit:
            return StepResult("SKIPPED", value, None)
        if self._pending:
            await self._flush()  # what the previous steps returned is durable before this runs
        fresh = lazy and timeout is None and run.fresh(key, position)
        run.open[key] = position
        while True:
            if self._cancelled is not None:
                raise self._cancelled
            if self._draining is not None and self._draining():
                raise errors.WorkerStopping(
                    f"worker stopping: step {key!r} of {self.id} not started"
                )
            if fresh:
                guard = StepGuard(self, key, run.token, position, policy, begun=False)
                return StepResult("EXECUTE", None, guard)
            status, value, _attempt, retry_in = await self._begin_step(
                key, run.token, position, policy, timeout
            )
            if status == "SKIPPED":
                return StepResult("SKIPPED", value, None)
            if status == "EXECUTE":
                guard = StepGuard(self, key, run.token, position, policy, begun=True)
                return StepResult("EXECUTE", None, guard)
            if status == "FAILED":
                raise errors.StepFailedError.from_stored(key, value or {})
            await self._wait_for_retry(run, key, retry_in)  # WAIT

    async def _begin_step(
        self, key: str, token: int, position: int, policy: RetryPolicy, timeout: float | None
    ) -> tuple[Any, ...]:
        """``pgqrs.begin_step``: (status, value, attempt, retry_in)."""
        policy_args = (policy.max_attempts, policy.backoff, policy.max_backoff)
        rows = await self._call(
            _sql.BEGIN_STEP, (self.id, key, token, position, *policy_args, timeout)
        )
        return rows[0]

    async def _wait_for_retry(self, run: _replay.Run, key: str, delay: float) -> None:
        """Wait ``delay`` seconds for the next attempt of ``key``: in process when it is short,
        else by suspending the workflow (the lease is released and a worker resumes it then)."""
        if delay <= self.store.inline_wait_max:
            await asyncio.sleep(max(delay, 0.0))
            return
        await self._call(_sql.SUSPEND_WORKFLOW, (self.id, run.token, delay))
        raise errors.WorkflowSuspended(
            f"workflow {self.id} suspended for {delay:.1f}s until step {key!r} may be retried;"
            " a worker resumes it then",
            delay,
        )

    async def _finish(self, query: LiteralString, token: int, payload: str) -> None:
        """Record the workflow's outcome. A worker may hand over one more statement, a claim
        for the slot this run frees, to go in the same round trip and transaction; it gets the
        claim's rows, or None when the batch failed and the outcome was recorded on its own."""
        finish: tuple[LiteralString, Sequence[Any]] = (query, (self.id, token, payload))
        then = self._then() if self._then is not None else None
        if then is None:
            await self._batch([finish])
            return
        extra, took = then
        try:
            rows = await self._batch([finish, extra])
        except (psycopg.Error, errors.PgqrsError):
            took(None)  # a claim must never cost the outcome: record that alone
            await self._batch([finish])
            return
        except BaseException:
            took(None)
            raise
        took(rows[1])

    async def _call(self, query: LiteralString, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Run one statement of this run (see :meth:`_batch`); return its rows."""
        return (await self._batch([(query, params)]))[0]

    async def _batch(
        self, statements: list[tuple[LiteralString, Sequence[Any]]]
    ) -> list[list[tuple[Any, ...]]]:
        """Run statements of this run after the step records it still owes, all in one round
        trip and one transaction; return the rows of each statement. If that fails, the records
        are written one by one, as if they had never been deferred, and then the statements
        alone, so that every error is raised by the call that causes it."""
        pending, self._pending = self._pending, []
        if not pending:
            return await self.store.call_many(statements) if statements else []
        records = [guard._statement(payload) for guard, payload in pending]
        try:
            return (await self.store.call_many([*records, *statements]))[len(records) :]
        except errors.PgqrsError:
            for guard, payload in pending:
                await guard._store(payload)
            return await self.store.call_many(statements)

    async def _flush(self) -> None:
        """Write the step records this run still owes (see StepGuard._succeed)."""
        await self._batch([])

    async def _record_cancel(self, exc: errors.WorkflowCancelledError) -> None:
        """A deadline that passed is only seen by the runner's writes (they raise PQ011 and
        change nothing); record the workflow as CANCELLED. An explicit cancel already is."""
        if exc.deadline_exceeded:
            try:
                await self.store.call(_sql.CANCEL_WORKFLOW, (self.id, None))
            except (psycopg.Error, errors.PgqrsError) as failed:
                logger.warning(
                    "pgqrs: workflow %s: could not record its deadline: %s", self.id, failed
                )

    async def _beat(self) -> bool:
        """One heartbeat of the running workflow; False stops the ticker (lease gone)."""
        run = self._run
        if run is None:
            return False
        try:
            await self.store.call(_sql.HEARTBEAT, (self.id, run.token))
        except errors.WorkflowCancelledError as exc:
            logger.info("pgqrs: workflow %s: stopping: %s", self.id, exc)
            self._cancelled = exc
            _runtime.cancel_task(self._task)
            return False
        except errors.StepTimeoutError as exc:
            # The server no longer extends the lease: a runner stuck in the step loses it.
            logger.warning("pgqrs: workflow %s: %s", self.id, exc)
            return True
        except (errors.LeaseLostError, errors.InvalidStateError) as exc:
            logger.warning("pgqrs: workflow %s: heartbeat stopped: %s", self.id, exc)
            return False
        except Exception as exc:  # the next step write will surface a real problem
            logger.warning("pgqrs: workflow %s: heartbeat failed: %s", self.id, exc)
        return True


# Open a Store on ``dsn``, a libpq connection string or URL; the options are described on
# Store. The same function as Store.connect, so the two cannot drift.
connect = Store.connect
