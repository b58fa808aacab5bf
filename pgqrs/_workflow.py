"""The run engine: :class:`PyWorkflow`, the context of one workflow.

Running a workflow function with it acquires the workflow's lease, replays finished steps from
one loaded snapshot, runs new steps under their retry policy and timeout (``@transaction`` steps
in the database transaction of their checkpoint), heartbeats, and records the outcome. It also
carries the durable waits: sleeps, messages, events and child workflows.

``_workflow_sync.py`` is generated from this file (``make gen``): edit this one, not the twin.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, LiteralString, ParamSpec, TypeVar, overload
from uuid import UUID

import psycopg

from . import (
    _calls,
    _codec,
    _convert,
    _dberrors,
    _lookup,
    _observe,
    _policy,
    _replay,
    _results,
    _runtime,
    _sql,
    errors,
)
from ._calls import AsyncWorkflowFn, SyncWorkflowFn
from ._guard import StepGuard, StepResult
from ._handles import ChildHandle
from ._policy import RetryPolicy
from ._results import StepInfo, WorkflowInfo
from ._runtime import AsyncTicker
from ._store import Store

logger = logging.getLogger("pgqrs")

P = ParamSpec("P")
R = TypeVar("R")


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
        """The workflow's stored input (as its JSON round trip): its one argument, or
        ``{"$args": [...], "$kwargs": {...}}`` for another call (see :attr:`args`)."""
        return self._run.input if self._run else self._input

    @property
    def args(self) -> tuple[Any, ...]:
        """The positional arguments the workflow was started with (from :attr:`input`), so that
        ``await fn(ctx, *ctx.args, **ctx.kwargs)`` resumes it from any process."""
        stored = self.input
        return () if stored is None else _calls.unpack(stored)[0]

    @property
    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments the workflow was started with (see :attr:`args`)."""
        return _calls.unpack(self.input)[1]

    @property
    def codec(self) -> _codec.Codec:
        """The store's codec, which stores this workflow's values (``pgqrs.connect(codec=...)``)."""
        return self.store.codec

    async def acquire_step(self, name: str) -> StepResult:
        """Acquire the step called ``name`` (low-level API): the name is the step's identity.

        Returns SKIPPED with the stored value for a step that succeeded before, however often it
        is acquired, or EXECUTE with a guard to record the outcome; raises StepFailedError for a
        step that failed before. The first call on a fresh context acquires the workflow's lease
        implicitly. (``@step`` functions differ: the nth call of a step in a run is the step
        ``name#n``.)
        """
        run = self._run or await self._acquire()
        key, position = run.named_step(name)
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
        return await _lookup.get_workflow(self.store, self.id)

    async def steps(self) -> list[StepInfo]:
        """The recorded steps of this workflow, read now."""
        return await _lookup.list_steps(self.store, self.id)

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
            raise errors.InvalidArgumentError(
                f"sleep_until needs a timezone-aware datetime, got {when!r}"
            )
        await self._sleep(None, when)

    async def _sleep(self, seconds: float | None, until: datetime | None) -> None:
        await self._wait("pgqrs.sleep", _sql.SLEEP_STEP, (seconds, until), "sleeps", None)

    async def send(self, workflow_id: UUID | str, topic: str, message: Any = None) -> None:
        """Send ``message`` to another workflow under ``topic``, exactly once: the send is a
        step, and its idempotency key (this workflow's id and the step key) makes a replay of an
        interrupted send deliver nothing twice."""
        target = _codec.as_uuid(workflow_id)
        payload = _codec.encode(message, f"message on topic {topic!r}", self.codec)

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
            "pgqrs.recv",
            _sql.RECV_MESSAGE,
            (topic, timeout),
            f"waits for a message on {topic!r}",
            ("pgqrs_message", f"message:{self.id} {topic}"),
        )
        if status == "RECORDED":  # replayed: the stored outcome
            return default if "timeout" in value else value["message"]
        return default if status == "TIMEOUT" else value

    async def set_event(self, key: str, value: Any) -> None:
        """Publish ``value`` under the event ``key`` of this workflow, for
        :meth:`Admin.get_event` to read from anywhere. It is a step: a replay does not put an
        older value back."""
        run = self._require_run()
        step_key, position = run.next_step("pgqrs.set_event")
        hit, _value = run.replay(self.id, step_key, position)
        if hit:
            return
        payload = _codec.encode(value, f"event {key!r}", self.codec)
        self._check_stop(step_key)
        await self._call(_sql.SET_EVENT, (self.id, step_key, run.token, position, key, payload))

    @overload
    async def start_child(
        self, workflow: AsyncWorkflowFn[P, R], /, *args: P.args, **kwargs: P.kwargs
    ) -> ChildHandle[R]: ...
    @overload
    async def start_child(
        self, workflow: SyncWorkflowFn[P, R], /, *args: P.args, **kwargs: P.kwargs
    ) -> ChildHandle[R]: ...
    @overload
    async def start_child(
        self, workflow: str | Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> ChildHandle[Any]: ...
    async def start_child(
        self, workflow: str | Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> ChildHandle[Any]:
        """Start the child workflow ``workflow(ctx, *args, **kwargs)`` for workers, exactly
        once: the start is a step (a replay returns the same child). Cancelling this workflow
        cancels the child. Wait for it with ``await handle.result()``, which is recorded too and
        frees the worker while it waits. The call is stored and checked as by
        ``admin.start_workflow``; the start options it takes are ``timeout``, ``deadline``,
        ``retries``, ``retry_backoff``, ``retry_max_backoff``, ``run_at``, ``max_recoveries``,
        ``queue``, ``priority`` and ``concurrency_key``."""
        name = _policy.workflow_name(workflow)
        args, kwargs, options = _calls.split(workflow, args, kwargs)
        given = _calls.start_options(options, _calls.BULK_OPTIONS, "start_child")
        payload = _calls.encode(workflow, name, args, kwargs, self.codec)

        async def start(key: str) -> Any:
            options = _policy.workflow_options(
                queued=True,
                idempotency_key=f"{self.id}/{key}",
                parent_id=self.id,
                **_policy.merged(workflow, given),
            )
            rows = await self.store.call(_sql.SUBMIT_WORKFLOW, (name, payload, options))
            return str(rows[0][0])

        child = await self._keyed_step("pgqrs.start_child", start)
        return ChildHandle(self, _codec.as_uuid(child), returns=workflow)

    async def _await_workflow(self, other: UUID, timeout: float | None) -> Any:
        status, value = await self._wait(
            "pgqrs.await",
            _sql.AWAIT_WORKFLOW,
            (other, timeout),
            f"waits for workflow {other}",
            ("pgqrs_done", f"done:{other}"),
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
        wake: tuple[str, str] | None,
    ) -> tuple[str, Any]:
        """Run a wait step (``sleep_step``, ``recv_message``, ``await_workflow``): its recorded
        outcome from the replay snapshot as ``("RECORDED", output)``, else the SQL's final
        answer ``(status, value)``. A wait the SQL keeps in process (WAIT) is waited here: for
        its remaining time, or until the notification ``wake`` (channel, subject) says that what
        it waits for may have come (a message, a child finishing), whichever is first; then it
        asks again. A suspension raises WorkflowSuspended."""
        run = self._require_run()
        key, position = run.next_step(name)
        hit, value = run.replay(self.id, key, position)
        if hit:
            return "RECORDED", value
        call = (self.id, key, run.token, position, *args, self.store.inline_wait_max)
        async with contextlib.AsyncExitStack() as stack:
            sub: Any = None
            while True:
                self._check_stop(key)
                status, value, remaining = (await self._call(query, call))[0]
                if status not in ("WAIT", "SUSPENDED"):
                    return str(status), value
                self._suspended_if(status, remaining, what)
                left = max(remaining or 0.0, 0.0)
                if wake is None:  # a sleep: only time ends it
                    await asyncio.sleep(left)
                elif sub is None:  # subscribe, then ask again: nothing can slip in between
                    channel, subject = wake
                    sub = await stack.enter_async_context(
                        self.store.listener.subscribe(channel, await self.store.tag(subject))
                    )
                elif sub.ready:
                    await sub.wait(left)
                else:  # no LISTEN (listen=False): poll
                    await asyncio.sleep(min(left, 0.05))

    async def _keyed_step(self, name: str, body: Callable[[str], Awaitable[Any]]) -> Any:
        """A step whose body needs its own key (as an idempotency key for what it does)."""
        run = self._require_run()
        key, position = run.next_step(name)
        result = await self._acquire_key(run, key, position, _policy.NO_RETRIES, None)
        guard = result.guard
        if guard is None:
            return result.value
        try:
            with _observe.step(self.name, self.id, key, guard.attempt):
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

    def _require_run(self) -> _replay.Run:
        """The current run, for a ``@step`` or a durable wait. Only the low-level
        ``acquire_step`` acquires a workflow implicitly: a step called on a context whose
        workflow is not being run would run outside any run, so it raises instead."""
        if self._run is None:
            raise errors.InvalidStateError(
                f"workflow {self.id} is not being run: call a @workflow function with this"
                " context (or acquire_step first) before its steps, sleeps, messages and"
                " children",
                sqlstate="PQ005",
            )
        return self._run

    async def _acquire(self) -> _replay.Run:
        rows = await self.store.call(
            _sql.ACQUIRE_WORKFLOW, (self.id, self.store.runner_id, self.store.lease_seconds)
        )
        self._run = _replay.acquired(rows[0])
        return self._run

    async def _run_workflow(
        self,
        fn: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        label: str,
    ) -> Any:
        """Run ``fn(self, *args, **kwargs)``, the ``@workflow`` called ``label``, after checking
        that this context's workflow was made for that name and those arguments: running
        another call would diverge from the stored one, which every recovery replays."""
        run = await self._acquire()
        problem = None
        if run.name is not None and run.name != label:
            problem = (
                f"workflow {self.id} is a {run.name!r} workflow: running {label!r} on its"
                " context would mix the steps of two workflows"
            )
        elif not _calls.matches(run.input, args, kwargs, self.codec):
            problem = (
                f"workflow {self.id} ({label}) was made for the arguments"
                f" {_calls.describe(run.input)}, not {_calls.describe_call(args, kwargs)}: a"
                " recovery would replay the stored ones. Run it with ctx.args and ctx.kwargs,"
                " or make a new workflow for this call (admin.run)"
            )
        if problem is not None:
            if run.final is None:
                await self._call(_sql.RELEASE_WORKFLOW, (self.id, run.token))
            self._run = None
            raise errors.InvalidArgumentError(problem)
        return await self._execute(run, fn, args, kwargs)

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
            return _decoded(self.codec, run.final.result(self.id), fn)
        self._cancelled = None
        self._task = _runtime.current_task()
        observed = _observe.start_run(self.name, self.id, run.token, bool(run.finished))
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
            codec = self.codec
            try:
                payload = _codec.encode(result, f"output of workflow {self.name or self.id}", codec)
                await self._finish(_sql.COMPLETE_WORKFLOW, run.token, payload)
            except errors.InvalidValueError as bad:  # not JSON, or over the size limit
                await self._finish(_sql.FAIL_WORKFLOW, run.token, _codec.error_text(bad))
                raise
            _observe.end_run(observed, None)
            return _decoded(codec, _codec.roundtrip(payload), fn)
        finally:
            _observe.end_run(observed, sys.exc_info()[1])  # no-op after the line above
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
        run = self._require_run()
        key, position = run.next_step(name)
        policy = retry.resolve(self.store.step_retry) if retry else self.store.step_retry
        while True:
            result = await self._acquire_key(run, key, position, policy, timeout)
            guard = result.guard
            if guard is None:
                return _decoded(self.codec, result.value, fn)
            try:
                with _observe.step(self.name, self.id, key, guard.attempt):
                    value = await _runtime.call_step(fn, self, args, kwargs, timeout, key)
            except BaseException as exc:
                if not _policy.is_failure(exc):
                    guard._abandon()
                    raise
                status, retry_in = await guard._failed(exc, policy.retryable(exc))
                if status == "FAILED":
                    raise
                _observe.step_retry(self.name, key)
            else:
                return _decoded(self.codec, await guard._succeed(value, defer=True), fn)
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
        run = self._require_run()
        key, position = run.next_step(name)
        policy = retry.resolve(self.store.step_retry) if retry else self.store.step_retry
        lost_since: float | None = None
        delay = 0.02
        while True:
            result = await self._acquire_key(run, key, position, policy, timeout, lazy=False)
            guard = result.guard
            if guard is None:
                return _decoded(self.codec, result.value, fn)
            try:
                with _observe.step(self.name, self.id, key, guard.attempt):
                    value = await self._transact(key, run.token, fn, args, kwargs, timeout)
            except BaseException as exc:
                if _dberrors.is_transient(exc):
                    now = time.monotonic()
                    lost_since = now if lost_since is None else lost_since
                    if now + delay - lost_since > self.store.retry_timeout:
                        raise
                    logger.warning(
                        "step %r of %s: transaction interrupted (%s: %s); asking"
                        " begin_step whether it committed",
                        key,
                        self.id,
                        type(exc).__name__,
                        exc,
                        extra=self._log_fields(key),
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
                _observe.step_retry(self.name, key)
            else:
                return _decoded(self.codec, value, fn)
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
            payload = _codec.encode(value, f"output of step {key!r}", self.codec)
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
            status, value, attempt, retry_in = await self._begin_step(
                key, run.token, position, policy, timeout
            )
            if status == "SKIPPED":
                return StepResult("SKIPPED", value, None)
            if status == "EXECUTE":
                guard = StepGuard(
                    self, key, run.token, position, policy, begun=True, attempt=attempt
                )
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
                    "workflow %s: could not record its deadline: %s",
                    self.id,
                    failed,
                    extra=self._log_fields(),
                )

    def _log_fields(self, step_key: str | None = None) -> dict[str, Any]:
        """The structured fields of this workflow's log records (``record.workflow_id``...)."""
        return log_fields(self.id, self.name, step_key)

    async def _beat(self) -> bool:
        """One heartbeat of the running workflow; False stops the ticker (lease gone)."""
        run = self._run
        if run is None:
            return False
        try:
            await self.store.call(_sql.HEARTBEAT, (self.id, run.token))
        except errors.WorkflowCancelledError as exc:
            logger.info("workflow %s: stopping: %s", self.id, exc, extra=self._log_fields())
            self._cancelled = exc
            _runtime.cancel_task(self._task)
            return False
        except errors.StepTimeoutError as exc:
            # The server no longer extends the lease: a runner stuck in the step loses it.
            logger.warning("workflow %s: %s", self.id, exc, extra=self._log_fields())
            return True
        except (errors.LeaseLostError, errors.InvalidStateError) as exc:
            logger.warning(
                "workflow %s: heartbeat stopped: %s", self.id, exc, extra=self._log_fields()
            )
            return False
        except Exception as exc:  # the next step write will surface a real problem
            logger.warning(
                "workflow %s: heartbeat failed: %s", self.id, exc, extra=self._log_fields()
            )
        return True


def log_fields(workflow_id: Any, name: str | None, step_key: str | None = None) -> dict[str, Any]:
    """The ``extra`` of a log record about a workflow: its id, name and step key, as the record's
    ``workflow_id``, ``workflow_name`` and ``step_key`` attributes (for structured logging)."""
    return {"workflow_id": str(workflow_id), "workflow_name": name, "step_key": step_key}


def _decoded(codec: _codec.Codec, value: Any, fn: Callable[..., Any]) -> Any:
    """A stored value as ``fn`` declares it returns it (the codec's decode); as stored with the
    plain JSON codec."""
    return value if codec.plain else codec.decode(value, _convert.return_hint(fn))
