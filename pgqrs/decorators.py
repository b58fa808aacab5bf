"""``@workflow`` and ``@step``: durable functions.

A step's result is stored when it returns, and a step that raises has its error stored; on replay
a finished step returns its stored result (or raises StepFailedError) without running. A step's
identity is its function name, or ``@step(name=...)``; the nth call of a name within one run of a
workflow gets the key ``name``, ``name#2``, ``name#3``..., so loops work.

``async def`` workflows and steps take a :class:`pgqrs.PyWorkflow` (from ``pgqrs.connect``);
plain ``def`` ones take a :class:`pgqrs.SyncWorkflow` (from ``pgqrs.connect_sync``). The
decorated function keeps its signature.

A step returns the JSON round trip of its value, on its first run as on a replay, so that code
behaves the same both times (a tuple comes back as a list, dict keys as strings).

``@transaction`` (or ``@step(transactional=True)``) makes a *transactional* step: it receives a
database connection, already inside the transaction that records the step's result, as its
second argument; its writes and its checkpoint commit together or not at all, so their effect
happens exactly once (docs/transactions.md). Callers leave the connection out.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate, Literal, ParamSpec, Protocol, TypeVar, overload

import psycopg

from . import _policy, _schedules, errors
from ._workflow import PyWorkflow
from ._workflow_sync import SyncWorkflow

__all__ = ["step", "transaction", "workflow"]

P = ParamSpec("P")
R = TypeVar("R")

# The function a transactional step is written as, and what callers call.
AsyncTransactionFn = Callable[
    Concatenate[PyWorkflow, psycopg.AsyncConnection[Any], P], Awaitable[R]
]
SyncTransactionFn = Callable[Concatenate[SyncWorkflow, psycopg.Connection[Any], P], R]


class TransactionDecorator(Protocol):
    """What ``@transaction(...)`` and ``@step(transactional=True, ...)`` return: a decorator
    that drops the connection parameter from the signature callers see."""

    @overload
    def __call__(
        self, fn: AsyncTransactionFn[P, R], /
    ) -> Callable[Concatenate[PyWorkflow, P], Coroutine[Any, Any, R]]: ...
    @overload
    def __call__(
        self, fn: SyncTransactionFn[P, R], /
    ) -> Callable[Concatenate[SyncWorkflow, P], R]: ...


@overload
def workflow(fn: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def workflow(
    *,
    name: str | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    retry_backoff: float | None = None,
    retry_max_backoff: float | None = None,
    schedule: str | _schedules.Cron | None = None,
    timezone: str | None = None,
    queue: str | None = None,
    priority: int | None = None,
    concurrency_key: str | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...
def workflow(
    fn: Any = None,
    /,
    *,
    name: str | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    retry_backoff: float | None = None,
    retry_max_backoff: float | None = None,
    schedule: str | _schedules.Cron | None = None,
    timezone: str | None = None,
    queue: str | None = None,
    priority: int | None = None,
    concurrency_key: str | None = None,
) -> Any:
    """Make a function a durable workflow. Its first argument is the workflow context.

    Calling it acquires the workflow's lease (WorkflowBusyError if another runner holds it),
    replays finished steps, runs the rest, and records the return value as the output (SUCCESS)
    or an escaping exception as the error (FAILED). Calling it on a finished workflow returns the
    stored output, or raises WorkflowFailedError (WorkflowCancelledError if it was cancelled),
    without running anything.

    ``schedule`` (a cron expression such as ``"*/5 * * * *"``, read in ``timezone``, UTC by
    default; or a :class:`pgqrs.Cron` for more options) starts the workflow at every tick, once
    per tick: a worker that serves it sets the schedule, named after the workflow, when it
    starts (docs/schedules.md). The workflow's input is then ``{"schedule": name,
    "scheduled_at": "<tick, UTC ISO 8601>", "input": None}``.

    The other options are the defaults of ``admin.start_workflow(this_function, ...)`` (and
    of ``start_workflows``, ``start_child``; a start option given there wins): ``timeout``,
    ``retries``, ``retry_backoff`` and ``retry_max_backoff``, a deadline ``timeout`` seconds
    after the start and whole-workflow retries (docs/failures.md, also for ``admin.run``);
    ``queue``, ``priority`` and ``concurrency_key``, where it waits for a worker and in which
    order (docs/queues.md).
    """
    cron = _schedules.declared(schedule, timezone)
    options = {
        key: value
        for key, value in (
            ("timeout", timeout),
            ("retries", retries),
            ("retry_backoff", retry_backoff),
            ("retry_max_backoff", retry_max_backoff),
            ("queue", queue),
            ("priority", priority),
            ("concurrency_key", concurrency_key),
        )
        if value is not None
    }
    if queue is not None and (not isinstance(queue, str) or not queue.strip()):
        raise errors.InvalidArgumentError(f"queue must be a non-empty queue name, got {queue!r}")

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        label = _name(name, fn)
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(ctx: Any, *args: Any, **kwargs: Any) -> Any:
                _expect(ctx, PyWorkflow, label, "workflow")
                return await ctx._run_workflow(fn, args, kwargs, label)

            wrapper: Any = run_async
        else:

            @functools.wraps(fn)
            def run_sync(ctx: Any, *args: Any, **kwargs: Any) -> Any:
                _expect(ctx, SyncWorkflow, label, "workflow")
                return ctx._run_workflow(fn, args, kwargs, label)

            wrapper = run_sync
        wrapper.__pgqrs_workflow__ = label
        wrapper.__pgqrs_workflow_options__ = options
        if cron is not None:
            wrapper.__pgqrs_schedule__ = cron
        return wrapper  # type: ignore[no-any-return]

    return decorate(fn) if fn is not None else decorate


@overload
def step(fn: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def step(
    *,
    transactional: Literal[True],
    name: str | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    max_backoff: float | None = None,
    retry_on: tuple[type[BaseException], ...] | None = None,
    retry: _policy.RetryPolicy | None = None,
    timeout: float | None = None,
) -> TransactionDecorator: ...
@overload
def step(
    *,
    transactional: Literal[False] = False,
    name: str | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    max_backoff: float | None = None,
    retry_on: tuple[type[BaseException], ...] | None = None,
    retry: _policy.RetryPolicy | None = None,
    timeout: float | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...
def step(
    fn: Any = None,
    /,
    *,
    transactional: bool = False,
    name: str | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    max_backoff: float | None = None,
    retry_on: tuple[type[BaseException], ...] | None = None,
    retry: _policy.RetryPolicy | None = None,
    timeout: float | None = None,
) -> Any:
    """Make a function a durable step. Its first argument is the workflow context.

    The step runs at most once to success per workflow: its JSON result is stored when it returns
    and replayed afterwards. An exception is stored (type, message, traceback) as a failed
    attempt; when the retry policy allows, the step runs again after a backoff, otherwise it
    becomes FAILED and the exception propagates, and a replay raises StepFailedError instead of
    running it.

    ``retries`` (extra attempts), ``backoff``, ``max_backoff`` and ``retry_on`` adjust the
    store's default policy (``pgqrs.connect(step_retry=...)``, no retries unless set);
    ``retry=pgqrs.RetryPolicy(...)`` replaces it. ``timeout`` (seconds) bounds each attempt: an
    ``async def`` step is cancelled then; for any step the server refuses a later result and
    stops extending the lease (StepTimeoutError). See docs/failures.md.

    ``transactional=True`` makes it a transactional step, exactly as :func:`transaction`: the
    function then takes a database connection as its second parameter, which callers leave out.
    """
    overrides, timeout = _step_options(retries, backoff, max_backoff, retry_on, retry, timeout)
    decorate = _decorator(name, overrides, timeout, transactional=transactional)
    return decorate(fn) if fn is not None else decorate


@overload
def transaction(
    fn: AsyncTransactionFn[P, R], /
) -> Callable[Concatenate[PyWorkflow, P], Coroutine[Any, Any, R]]: ...
@overload
def transaction(fn: SyncTransactionFn[P, R], /) -> Callable[Concatenate[SyncWorkflow, P], R]: ...
@overload
def transaction(
    *,
    name: str | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    max_backoff: float | None = None,
    retry_on: tuple[type[BaseException], ...] | None = None,
    retry: _policy.RetryPolicy | None = None,
    timeout: float | None = None,
) -> TransactionDecorator: ...
def transaction(
    fn: Any = None,
    /,
    *,
    name: str | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    max_backoff: float | None = None,
    retry_on: tuple[type[BaseException], ...] | None = None,
    retry: _policy.RetryPolicy | None = None,
    timeout: float | None = None,
) -> Any:
    """Make a function a transactional step: its database writes and its checkpoint commit in
    one transaction, so they take effect exactly once.

    Write it as ``async def fn(ctx: PyWorkflow, conn: psycopg.AsyncConnection[Any], *args)``
    (or a plain ``def`` with :class:`pgqrs.SyncWorkflow` and ``psycopg.Connection``) and call it
    as ``await fn(ctx, *args)``: pgqrs takes one connection from the store's pool, opens a
    transaction, passes the connection in, then records the step's JSON result with
    ``pgqrs.complete_step`` on the same connection and commits. If the writes commit, the
    checkpoint commits with them; if anything raises (the function, the checkpoint, the
    commit), both roll back. ``complete_step`` checks the fencing token, so a runner that lost
    its lease gets LeaseLostError and its writes roll back with the checkpoint.

    Use ``conn`` for the writes that must happen once (nested ``conn.transaction()`` blocks are
    savepoints; ``conn.commit()`` is refused). Writes through other connections, or to another
    database, are not part of the transaction: they are at-least-once, as in any ``@step``.

    The options are those of :func:`step`. A failed attempt is recorded after the rollback and
    retried under the same policy; a serialization failure, a deadlock or a lost connection
    re-runs the transaction for up to the store's ``retry_timeout`` without counting an
    attempt. ``timeout`` bounds each attempt as for ``@step``; a result that comes too late is
    refused by ``complete_step``, so the late transaction rolls back. See docs/transactions.md.
    """
    overrides, timeout = _step_options(retries, backoff, max_backoff, retry_on, retry, timeout)
    decorate = _decorator(name, overrides, timeout, transactional=True)
    return decorate(fn) if fn is not None else decorate


def _step_options(
    retries: int | None,
    backoff: float | None,
    max_backoff: float | None,
    retry_on: tuple[type[BaseException], ...] | None,
    retry: _policy.RetryPolicy | None,
    timeout: float | None,
) -> tuple[_policy.RetryOverrides | None, float | None]:
    overrides = None
    if retry is not None or any(v is not None for v in (retries, backoff, max_backoff, retry_on)):
        if retries is not None and retries < 0:
            raise errors.InvalidArgumentError(f"retries must be 0 or more, got {retries}")
        overrides = _policy.RetryOverrides(retry, retries, backoff, max_backoff, retry_on)
        overrides.resolve(_policy.NO_RETRIES)  # validate now, not at the first failure
    if timeout is not None and not timeout > 0:
        raise errors.InvalidArgumentError(
            f"timeout must be a positive number of seconds, got {timeout!r}"
        )
    return overrides, timeout


def _decorator(
    name: str | None,
    overrides: _policy.RetryOverrides | None,
    timeout: float | None,
    *,
    transactional: bool,
) -> Callable[[Callable[..., Any]], Any]:
    def decorate(fn: Callable[..., Any]) -> Any:
        label = _name(name, fn)
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(ctx: Any, *args: Any, **kwargs: Any) -> Any:
                _expect(ctx, PyWorkflow, label, "step")
                if transactional:
                    return await ctx._run_transaction_step(
                        label, fn, args, kwargs, overrides, timeout
                    )
                return await ctx._run_step(label, fn, args, kwargs, overrides, timeout)

            wrapper: Any = run_async
        else:

            @functools.wraps(fn)
            def run_sync(ctx: Any, *args: Any, **kwargs: Any) -> Any:
                _expect(ctx, SyncWorkflow, label, "step")
                if transactional:
                    return ctx._run_transaction_step(label, fn, args, kwargs, overrides, timeout)
                return ctx._run_step(label, fn, args, kwargs, overrides, timeout)

            wrapper = run_sync
        wrapper.__pgqrs_step__ = label
        if transactional:
            wrapper.__pgqrs_transactional__ = True
            # Callers do not pass the connection: drop it from the signature they see.
            params = list(inspect.signature(fn).parameters.values())
            if len(params) < 2 or params[1].kind not in (
                inspect.Parameter.POSITIONAL_ONLY,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
            ):
                raise TypeError(
                    f"{label}: a transactional step takes (ctx, conn, ...): its second"
                    " parameter receives the database connection"
                )
            wrapper.__signature__ = inspect.signature(fn).replace(
                parameters=[params[0], *params[2:]]
            )
        return wrapper

    return decorate


def _name(explicit: str | None, fn: Callable[..., Any]) -> str:
    label = fn.__name__ if explicit is None else explicit
    if not isinstance(label, str) or not label.strip():
        raise errors.InvalidArgumentError("a workflow or step name must be a non-empty string")
    if "#" in label:
        raise errors.InvalidArgumentError(
            f"step and workflow names may not contain '#' (reserved for repeat keys): {label!r}"
        )
    if "\x00" in label:
        raise errors.InvalidArgumentError(
            f"step and workflow names may not contain a NUL character (\\x00): {label!r}"
        )
    return label


def _expect(ctx: Any, kind: type, label: str, what: str) -> None:
    if isinstance(ctx, kind):
        return
    if kind is PyWorkflow:
        hint = "an async def %s needs a PyWorkflow context from pgqrs.connect()"
    else:
        hint = "a plain def %s needs a SyncWorkflow context from pgqrs.connect_sync()"
    raise TypeError(
        f"{label}: first argument must be a {kind.__name__}, got {type(ctx).__name__}; "
        + hint % what
    )
