"""The worker: claims queued workflows and runs them, in the background, until told to stop.

All decisions are the SQL's: ``claim_workflows`` hands out runnable workflows (new, released, or
left by a worker whose lease expired) under new leases, and moves crash-looping ones to DEAD.
The worker only runs what it is given, and sleeps until NOTIFY pgqrs_work, the next claimable
time (``next_claim_at``) or a backstop poll, whichever comes first. With retention set, it also
runs a :class:`pgqrs._retention.Pruner` in the background (docs/retention.md).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import inspect
import logging
import os
import signal
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any, LiteralString

import psycopg

from . import (
    _calls,
    _codec,
    _dberrors,
    _observe,
    _replay,
    _retention,
    _schedules,
    _sql,
    _tracing,
    errors,
)
from ._retention import Pruner, Retention
from ._store import Store
from ._store_sync import SyncStore
from ._workflow import PyWorkflow, log_fields
from ._workflow_sync import SyncWorkflow

logger = logging.getLogger("pgqrs.worker")

# How often an idle or busy worker tells the database it is alive (claims do too).
HEARTBEAT_SECONDS = 10.0

# The workers running in this process, by (dsn, name).
_RUNNING: dict[tuple[str, str], Worker] = {}


def collect_workflows(source: Iterable[Callable[..., Any]] | ModuleType) -> dict[str, Any]:
    """The ``@workflow`` functions of a module (or an iterable of them), by registered name."""
    items: Iterable[Any] = vars(source).values() if isinstance(source, ModuleType) else source
    found: dict[str, Any] = {}
    for item in items:
        name = getattr(item, "__pgqrs_workflow__", None)
        if not isinstance(name, str):
            if isinstance(source, ModuleType):
                continue
            raise TypeError(f"{item!r} is not a @workflow function")
        other = found.get(name)
        if other is not None and other is not item:
            raise errors.InvalidArgumentError(f"two workflows are registered as {name!r}")
        found[name] = item
    if not found:
        raise errors.InvalidArgumentError("a worker needs at least one @workflow function")
    return found


class Worker:
    """Runs the workflows it serves as they are started, in this process.

    ``workflows`` is a module (every ``@workflow`` function in it is served) or a list of
    ``@workflow`` functions. A worker claims up to ``concurrency`` workflows at a time under
    leases of ``store.lease_seconds``. ``async def`` workflows run as asyncio tasks; plain
    ``def`` workflows run in a thread pool with a synchronous store on the same database.

    ``name`` identifies this worker process among live workers (default: the store's runner id,
    ``$PGQRS_RUNNER_ID`` or ``host:pid``). Restarting with the same name releases the leases the
    previous process held, so its work resumes at once.

    :meth:`stop` (or SIGTERM/SIGINT with ``handle_signals=True``) drains: no new claims, running
    workflows get ``grace_period`` seconds and start no new step once draining, then every lease
    still held is released so other workers resume at once.

    ``retention`` (a :class:`pgqrs.Retention`, a timedelta or seconds; default: the store's)
    makes the worker prune finished workflows older than that window in the background, once a
    minute by default; one worker per database prunes at a time (docs/retention.md).

    ``async with Worker(store, [...]):`` runs it in the background for the block, and drains it
    when the block ends (a web app's lifespan, a test, a script).

    ``metrics_port`` serves the process's Prometheus metrics on ``/metrics`` at that port (0: a
    free port, then ``worker.metrics_port`` says which) while the worker runs; with an
    OpenTelemetry TracerProvider set, each run and step is a span (docs/observability.md).
    """

    def __init__(
        self,
        store: Store,
        workflows: Iterable[Callable[..., Any]] | ModuleType,
        *,
        name: str | None = None,
        concurrency: int = 4,
        grace_period: float = 30.0,
        retention: Retention | timedelta | float | None = None,
        metrics_port: int | None = None,
    ) -> None:
        if concurrency < 1:
            raise errors.InvalidArgumentError(f"concurrency must be 1 or more, got {concurrency}")
        self.store = store
        self.workflows = collect_workflows(workflows)
        self.name = name or store.runner_id
        self.concurrency = concurrency
        self.grace_period = grace_period
        self.retention = _retention.retention_option(retention) or store.retention
        self.metrics_port = metrics_port
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._draining = False
        self._hard_stop = False
        self._sync_store: SyncStore | None = None
        self._threads: concurrent.futures.ThreadPoolExecutor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._claiming = False  # a claim is in flight (the loop's, or one sent with an outcome)
        self._outcome_sent: set[asyncio.Task[None]] = set()  # runs that only have to wind down
        self._background: asyncio.Task[None] | None = None  # run() under ``async with``

    async def __aenter__(self) -> Worker:
        self._reserve_name()  # now, not when the task starts: a clash raises here
        self._background = asyncio.create_task(self.run(), name=f"pgqrs-worker-{self.name}")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.stop()
        task, self._background = self._background, None
        if task is not None:
            await task

    @property
    def running(self) -> int:
        """How many workflows this worker is running now."""
        return len(self._tasks)

    def _free_slots(self) -> int:
        """Slots for new claims: a run whose outcome is recorded no longer holds one."""
        return self.concurrency - len(self._tasks) + len(self._outcome_sent)

    def stop(self) -> None:
        """Ask the worker to drain and stop. Safe to call from a signal handler or a thread; a
        second call skips the rest of the grace period."""
        if self._draining:
            self._hard_stop = True
        self._draining = True
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self, *, handle_signals: bool = False) -> None:
        """Register, then claim and run workflows until :meth:`stop`; then drain and return.

        InvalidArgumentError when another worker of this process runs under the same name on
        the same database: registering again would release that worker's leases (as a restart
        does), so each worker of a process needs its own ``name``."""
        key = self._reserve_name()
        try:
            await self._run(handle_signals)
        finally:
            _RUNNING.pop(key, None)

    def _reserve_name(self) -> tuple[str, str]:
        """Mark this worker's name as running in this process (see :meth:`run`)."""
        key = (self.store.dsn, self.name)
        if _RUNNING.setdefault(key, self) is not self:
            raise errors.InvalidArgumentError(
                f"a worker named {self.name!r} already runs in this process on this database"
                " (the default name is the store's runner id): give each worker its own name="
            )
        return key

    async def _run(self, handle_signals: bool) -> None:
        self._loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._loop.add_signal_handler(sig, self._on_signal, sig)
        await self._register()
        metrics = await _observe.serve_worker(
            self.name, lambda: self.running, self.concurrency, self.metrics_port
        )
        self.metrics_port = metrics.port if metrics is not None else None
        listener = asyncio.create_task(self._listen(), name="pgqrs-worker-listen")
        pruner = self._start_pruner()
        try:
            await self._claim_loop()
        finally:
            listener.cancel()
            try:
                await listener
            except asyncio.CancelledError:
                pass
            except Exception as exc:  # never skip the drain below
                logger.warning("worker %s: listener failed: %s", self.name, exc)
            await self._stop_pruner(pruner)
            await self._drain()
            await _observe.stop_serving(self.name, metrics)
            if handle_signals:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    self._loop.remove_signal_handler(sig)

    # -- internals ------------------------------------------------------------------------------

    def _on_signal(self, sig: signal.Signals) -> None:
        logger.info("worker %s: %s received, draining", self.name, sig.name)
        self.stop()

    async def _register(self) -> None:
        names = sorted(self.workflows)
        # First the schedules of its @workflow(schedule=...) functions (idempotent): a bad one
        # stops the worker before it registers.
        schedules = _schedules.registrations(self.workflows)
        if schedules:
            await self.store.call_many(schedules)
        released = await self.store.call(
            _sql.REGISTER_WORKER,
            (self.name, names, self.concurrency, socket.gethostname(), os.getpid()),
        )
        logger.info(
            "worker %s started: serves %s, concurrency %d%s",
            self.name,
            ", ".join(names),
            self.concurrency,
            f"; released {released[0][0]} leases of its previous run" if released[0][0] else "",
        )

    def _start_pruner(self) -> tuple[Pruner, asyncio.Task[None]] | None:
        """The background pruner of a worker with retention, running; None without."""
        if self.retention is None:
            return None
        pruner = Pruner(self.store.call, self.retention, name=f"worker {self.name}")
        logger.info(
            "worker %s prunes workflows finished over %s ago, every %gs",
            self.name,
            _retention.describe(self.retention.older_than),
            self.retention.interval,
        )
        return pruner, asyncio.create_task(pruner.run(), name="pgqrs-worker-prune")

    async def _stop_pruner(self, running: tuple[Pruner, asyncio.Task[None]] | None) -> None:
        """Stop the pruner: the batch in flight finishes (within the grace period)."""
        if running is None:
            return
        pruner, task = running
        pruner.stop()
        try:
            await asyncio.wait_for(task, timeout=self.grace_period)
        except (TimeoutError, asyncio.CancelledError):
            pass
        except Exception as exc:  # never skip the drain
            logger.warning("worker %s: pruner failed: %s", self.name, exc)

    async def _claim_loop(self) -> None:
        last_beat = time.monotonic()
        backoff = 0.1
        while not self._draining:
            self._wake.clear()
            try:
                free = self._free_slots()
                rows: list[tuple[Any, ...]] = []
                if self._claiming:
                    free = 0  # a finishing run is claiming for its slot; it wakes us after
                elif free > 0:
                    self._claiming = True
                    try:
                        with _observe.claim(self.name):
                            rows = await self.store.call(*self._claim(free))
                    finally:
                        self._claiming = False
                    last_beat = time.monotonic()
                    for row in rows:
                        self._spawn(row)
                    if len(rows) == free:
                        continue  # there may be more: claim again once a slot is free
                elif time.monotonic() - last_beat > HEARTBEAT_SECONDS:
                    await self.store.call(_sql.WORKER_HEARTBEAT, (self.name,))
                    last_beat = time.monotonic()
                timeout = min(self.store.poll_interval, HEARTBEAT_SECONDS)
                if free > len(rows):
                    timeout = min(timeout, await self._until_next_claim())
                backoff = 0.1
            except (psycopg.OperationalError, errors.WorkerNotFoundError) as exc:
                # The database is away (or forgot us): keep the running work, retry with backoff.
                logger.warning(
                    "worker %s: database error, retrying in %.1fs: %s", self.name, backoff, exc
                )
                timeout = backoff
                backoff = min(backoff * 2, 5.0)
                if isinstance(exc, errors.WorkerNotFoundError):
                    with contextlib.suppress(psycopg.Error, errors.PgqrsError):
                        await self._register()
            await self._sleep(timeout)

    async def _sleep(self, seconds: float) -> None:
        """Wait until woken (``_wake``) or ``seconds`` pass, whichever comes first; a timer
        rather than asyncio.wait_for, which costs a task per call in this hot loop."""
        assert self._loop is not None
        timer = self._loop.call_later(max(seconds, 0.0), self._wake.set)
        try:
            await self._wake.wait()
        finally:
            timer.cancel()

    async def _until_next_claim(self) -> float:
        row = (await self.store.call(_sql.NEXT_CLAIM_AT, (self.name,)))[0]
        next_at: datetime | None = row[0]
        if next_at is None:
            return self.store.poll_interval
        now: datetime = row[1]
        return max(0.005, (next_at - now).total_seconds())

    async def _listen(self) -> None:
        """Wake the claim loop on NOTIFY pgqrs_work for a name this worker serves (its tag), or
        for work of any name ('*'): on the store's listen DSN, or on every shard of a cluster
        (through a proxy, which hears no notification; docs/scale-out.md)."""
        if not self.store.listen:
            return
        tags = {await self.store.tag(f"work:{name}") for name in self.workflows}
        dsns = await self.store.listen_dsns()
        await asyncio.gather(*(self._listen_on(dsn, tags) for dsn in dsns))

    async def _listen_on(self, dsn: str, tags: set[str]) -> None:
        backoff = 0.1
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                    await conn.execute(_sql.LISTEN_WORK)
                    backoff = 0.1
                    self._wake.set()  # anything sent while we were not listening
                    async for note in conn.notifies():
                        if note.payload == "*" or note.payload in tags:
                            self._wake.set()
            except psycopg.OperationalError as exc:
                logger.warning("worker %s: listen connection lost: %s", self.name, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            except psycopg.Error as exc:
                logger.warning(
                    "worker %s: cannot LISTEN (%s); polling every %.1fs instead",
                    self.name,
                    exc,
                    self.store.poll_interval,
                )
                return

    def _claim_with_outcome(
        self,
    ) -> tuple[tuple[LiteralString, tuple[Any, ...]], Callable[[list[Any] | None], None]] | None:
        """A claim for the slot a finishing run frees, to send in the same round trip and
        transaction as its outcome (one durable commit for both); None while draining or while
        another claim is in flight."""
        if self._draining or self._claiming:
            return None
        free = self._free_slots() + 1  # the slot of the run that is finishing
        if free < 1:
            return None
        self._claiming = True
        finishing = asyncio.current_task()

        def took(rows: list[Any] | None) -> None:
            self._claiming = False
            if rows is not None and finishing in self._tasks:
                self._outcome_sent.add(finishing)  # its slot is handed over: see done()
            for row in rows or ():
                self._spawn(row)
            if rows is None or len(rows) < free:
                self._wake.set()  # the queue may be empty, or the claim failed: the loop decides

        return self._claim(free), took

    def _claim(self, free: int) -> tuple[LiteralString, tuple[Any, ...]]:
        """A claim for ``free`` slots, with a claim id of its own: when its answer is lost and
        the call is retried (same parameters), the SQL hands back what it granted the first
        time instead of leaving it leased to nobody until the leases expire."""
        return _sql.CLAIM, (self.name, uuid.uuid4(), free, self.store.lease_seconds)

    def _spawn(self, row: tuple[Any, ...]) -> None:
        task = asyncio.create_task(self._run_one(row), name=f"pgqrs-workflow-{row[0]}")
        self._tasks.add(task)

        def done(t: asyncio.Task[None]) -> None:
            self._tasks.discard(t)
            if t in self._outcome_sent:
                self._outcome_sent.discard(t)  # the claim sent with its outcome refilled its slot
                if not self._draining:
                    return
            self._wake.set()

        task.add_done_callback(done)

    async def _run_one(self, row: tuple[Any, ...]) -> None:
        workflow_id, name, token, input_text, steps_text, recovered = row
        log = logging.LoggerAdapter(logger, log_fields(workflow_id, name))
        fn = self.workflows[name]
        try:
            input_ = _codec.loads(input_text) if input_text is not None else None
            steps = _codec.loads(steps_text) if steps_text is not None else {}
        except errors.InvalidValueError as exc:
            await self._set_aside(workflow_id, name, token, exc)
            return
        try:
            # The stored call, checked against the function (and decoded by the codec).
            args, kwargs = _calls.arguments(fn, name, input_, self.store.codec)
        except (errors.InvalidValueError, errors.InvalidArgumentError) as exc:
            await self._set_aside(workflow_id, name, token, exc)
            return
        run = _replay.Run(token=token, input=input_, finished=dict(steps or {}), name=name)
        how = "resumes" if recovered or run.finished else "claims"
        log.info(
            "worker %s %s %s %s (token %d, %d finished steps)",
            self.name,
            how,
            name,
            workflow_id,
            token,
            len(run.finished),
        )
        _observe.claimed(self.name, name, recovered)
        await self._continue_trace(workflow_id)
        body = inspect.unwrap(fn)
        started = time.monotonic()
        try:
            if inspect.iscoroutinefunction(body):
                ctx = PyWorkflow(self.store, workflow_id, name, input_)
                ctx._draining = self._is_draining
                ctx._then = self._claim_with_outcome
                await ctx._execute(run, body, args, kwargs)
            else:
                await asyncio.get_running_loop().run_in_executor(
                    self._executor(),
                    contextvars.copy_context().run,  # the trace context, among others
                    self._run_sync,
                    workflow_id,
                    name,
                    input_,
                    run,
                    body,
                    (args, kwargs),
                )
        except (errors.WorkerStopping, asyncio.CancelledError):
            log.info("worker %s stops %s %s before its next step", self.name, name, workflow_id)
        except errors.WorkflowSuspended as pause:
            log.info(
                "worker %s suspended %s %s for %.1fs", self.name, name, workflow_id, pause.resume_in
            )
        except errors.WorkflowCancelledError as exc:
            log.info("worker %s stopped %s %s: %s", self.name, name, workflow_id, exc)
        except errors.LeaseLostError as exc:
            log.warning("worker %s lost the lease on %s %s: %s", self.name, name, workflow_id, exc)
        except (psycopg.OperationalError, errors.PgqrsError) as exc:
            if _dberrors.is_transient(exc):
                log.warning(
                    "worker %s: %s %s interrupted by a database error, releasing: %s",
                    self.name,
                    name,
                    workflow_id,
                    exc,
                )
                with contextlib.suppress(psycopg.Error, errors.PgqrsError):
                    await self.store.call(_sql.RELEASE_WORKFLOW, (workflow_id, token))
            else:
                log.warning("worker %s: %s %s failed: %s", self.name, name, workflow_id, exc)
        except Exception as exc:
            log.warning(
                "worker %s: %s %s failed: %s: %s",
                self.name,
                name,
                workflow_id,
                type(exc).__name__,
                exc,
            )
        else:
            log.info(
                "worker %s finished %s %s in %.3fs",
                self.name,
                name,
                workflow_id,
                time.monotonic() - started,
            )

    async def _continue_trace(self, workflow_id: Any) -> None:
        """With tracing on, make the trace of the code that started the workflow (the
        traceparent stored with it) the current context of this run, which its span continues.
        Costs one read per run, only then; a failed read only loses the link."""
        if _tracing.tracer() is None:
            return
        try:
            rows = await self.store.call(_sql.TRACE_CONTEXT, (workflow_id,))
        except (psycopg.Error, errors.PgqrsError) as exc:
            logger.warning("worker %s: no trace context for %s: %s", self.name, workflow_id, exc)
            return
        _tracing.continue_trace(rows[0][0])

    async def _set_aside(
        self, workflow_id: Any, name: str, token: int, exc: errors.PgqrsError
    ) -> None:
        """A claimed workflow whose stored values cannot be decoded here, or whose stored call
        does not fit its function, fails for good (no retry could change that), with the
        reason; the worker goes on with the others (never a crash loop)."""
        logger.warning(
            "worker %s sets %s %s aside: %s",
            self.name,
            name,
            workflow_id,
            exc,
            extra=log_fields(workflow_id, name),
        )
        error = _codec.error_object(exc)
        error["retryable"] = False
        with contextlib.suppress(psycopg.Error, errors.PgqrsError):
            await self.store.call(
                _sql.FAIL_WORKFLOW, (workflow_id, token, _codec.encode(error, "error"))
            )

    def _run_sync(
        self,
        workflow_id: Any,
        name: str,
        input_: Any,
        run: _replay.Run,
        body: Callable[..., Any],
        call: tuple[tuple[Any, ...], dict[str, Any]],
    ) -> None:
        ctx = SyncWorkflow(self._sync(), workflow_id, name, input_)
        ctx._draining = self._is_draining
        ctx._execute(run, body, *call)

    def _is_draining(self) -> bool:
        return self._draining

    def _executor(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._threads is None:
            self._threads = concurrent.futures.ThreadPoolExecutor(
                max_workers=self.concurrency, thread_name_prefix="pgqrs-worker"
            )
        return self._threads

    def _sync(self) -> SyncStore:
        if self._sync_store is None:
            # Same connection options as the async store: behind a transaction pooler
            # (prepare_threshold=None) prepared statements must stay off here too.
            kwargs = self.store.pool.kwargs
            prepare = kwargs.get("prepare_threshold", 5) if isinstance(kwargs, dict) else 5
            self._sync_store = SyncStore.connect(
                self.store.dsn,
                runner_id=self.name,
                lease_seconds=self.store.lease_seconds,
                retry_timeout=self.store.retry_timeout,
                pool_size=self.concurrency + 1,  # a connection per thread, plus heartbeats
                listen=False,
                prepare_threshold=prepare,
                step_retry=self.store.step_retry,
                inline_wait_max=self.store.inline_wait_max,
                codec=self.store.codec,
            )
        return self._sync_store

    async def _drain(self) -> None:
        self._draining = True
        if self._tasks:
            logger.info(
                "worker %s draining: waiting up to %.0fs for %d workflows",
                self.name,
                self.grace_period,
                len(self._tasks),
            )
            deadline = time.monotonic() + self.grace_period
            while self._tasks and not self._hard_stop and time.monotonic() < deadline:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), deadline - time.monotonic())
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            released = (await self.store.call(_sql.STOP_WORKER, (self.name,)))[0][0]
        except (psycopg.Error, errors.PgqrsError) as exc:
            logger.warning("worker %s: could not release its leases: %s", self.name, exc)
            released = 0
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
        if self._sync_store is not None:
            self._sync_store.close()
        logger.info("worker %s stopped; released %d leases", self.name, released)
