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
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, overload

from . import _core, errors
from ._async import PyWorkflow
from ._sync import SyncWorkflow

__all__ = ["step", "workflow"]

P = ParamSpec("P")
R = TypeVar("R")


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
) -> Any:
    """Make a function a durable workflow. Its first argument is the workflow context.

    Calling it acquires the workflow's lease (WorkflowBusyError if another runner holds it),
    replays finished steps, runs the rest, and records the return value as the output (SUCCESS)
    or an escaping exception as the error (FAILED). Calling it on a finished workflow returns the
    stored output, or raises WorkflowFailedError (WorkflowCancelledError if it was cancelled),
    without running anything.

    ``timeout``, ``retries``, ``retry_backoff`` and ``retry_max_backoff`` are the defaults of
    ``admin.start_workflow(this_function, ...)``: a deadline ``timeout`` seconds after the start,
    and whole-workflow retries (docs/failures.md).
    """
    options = {
        key: value
        for key, value in (
            ("timeout", timeout),
            ("retries", retries),
            ("retry_backoff", retry_backoff),
            ("retry_max_backoff", retry_max_backoff),
        )
        if value is not None
    }

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        label = _name(name, fn)
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(ctx: Any, *args: Any, **kwargs: Any) -> Any:
                _expect(ctx, PyWorkflow, label, "workflow")
                return await ctx._run_workflow(fn, args, kwargs)

            wrapper: Any = run_async
        else:

            @functools.wraps(fn)
            def run_sync(ctx: Any, *args: Any, **kwargs: Any) -> Any:
                _expect(ctx, SyncWorkflow, label, "workflow")
                return ctx._run_workflow(fn, args, kwargs)

            wrapper = run_sync
        wrapper.__pgqrs_workflow__ = label
        wrapper.__pgqrs_workflow_options__ = options
        return wrapper  # type: ignore[no-any-return]

    return decorate(fn) if fn is not None else decorate


@overload
def step(fn: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def step(
    *,
    name: str | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    max_backoff: float | None = None,
    retry_on: tuple[type[BaseException], ...] | None = None,
    retry: _core.RetryPolicy | None = None,
    timeout: float | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...
def step(
    fn: Any = None,
    /,
    *,
    name: str | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    max_backoff: float | None = None,
    retry_on: tuple[type[BaseException], ...] | None = None,
    retry: _core.RetryPolicy | None = None,
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
    """
    overrides = None
    if retry is not None or any(v is not None for v in (retries, backoff, max_backoff, retry_on)):
        if retries is not None and retries < 0:
            raise ValueError(f"retries must be 0 or more, got {retries}")
        overrides = _core.RetryOverrides(retry, retries, backoff, max_backoff, retry_on)
        overrides.resolve(_core.NO_RETRIES)  # validate now, not at the first failure
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        label = _name(name, fn)
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(ctx: Any, *args: Any, **kwargs: Any) -> Any:
                _expect(ctx, PyWorkflow, label, "step")
                return await ctx._run_step(label, fn, args, kwargs, overrides, timeout)

            wrapper: Any = run_async
        else:

            @functools.wraps(fn)
            def run_sync(ctx: Any, *args: Any, **kwargs: Any) -> Any:
                _expect(ctx, SyncWorkflow, label, "step")
                return ctx._run_step(label, fn, args, kwargs, overrides, timeout)

            wrapper = run_sync
        wrapper.__pgqrs_step__ = label
        return wrapper  # type: ignore[no-any-return]

    return decorate(fn) if fn is not None else decorate


def _name(explicit: str | None, fn: Callable[..., Any]) -> str:
    label = fn.__name__ if explicit is None else explicit
    if not isinstance(label, str) or not label.strip():
        raise errors.InvalidArgumentError("a workflow or step name must be a non-empty string")
    if "#" in label:
        raise errors.InvalidArgumentError(
            f"step and workflow names may not contain '#' (reserved for repeat keys): {label!r}"
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
