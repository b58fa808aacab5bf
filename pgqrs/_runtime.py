"""Process-level helpers that differ between asyncio and threads: the lease ticker, running a
step under a timeout, cancelling a run, and the default runner id. ``_async.py`` uses the async
ones (:class:`AsyncTicker`, :func:`call_step`, :func:`current_task`); ``tools/gen_sync.py``
renames them to the thread ones with the same interface for ``_sync.py``."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from . import errors


def default_runner_id() -> str:
    """``$PGQRS_RUNNER_ID``, or ``host:pid``. Give a process a stable runner id (for example
    the pod or unit name) so that after a restart it takes over its own leases at once."""
    return os.environ.get("PGQRS_RUNNER_ID") or f"{socket.gethostname()}:{os.getpid()}"


class AsyncTicker:
    """Calls ``beat`` every ``interval`` seconds in an asyncio task until it returns False or
    :meth:`stop` is called."""

    def __init__(self, interval: float, beat: Callable[[], Awaitable[bool]]) -> None:
        self._interval = interval
        self._beat = beat
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="pgqrs-heartbeat")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            if not await self._beat():
                return

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class Ticker:
    """Calls ``beat`` every ``interval`` seconds in a daemon thread until it returns False or
    :meth:`stop` is called."""

    def __init__(self, interval: float, beat: Callable[[], bool]) -> None:
        self._interval = interval
        self._beat = beat
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="pgqrs-heartbeat", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stopped.wait(self._interval):
            if not self._beat():
                return

    def stop(self) -> None:
        self._stopped.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()


async def call_step(
    fn: Callable[..., Awaitable[Any]],
    ctx: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    limit: float | None,
    key: str,
) -> Any:
    """Run an async step; past ``limit`` seconds it is cancelled and StepTimeoutError raised
    (a TimeoutError the step raises itself stays what it is)."""
    if limit is None:
        return await fn(ctx, *args, **kwargs)
    try:
        async with asyncio.timeout(limit) as scope:
            return await fn(ctx, *args, **kwargs)
    except TimeoutError:
        if scope.expired():
            raise errors.StepTimeoutError(
                f"step {key!r} timed out after {limit:g}s", sqlstate="PQ012"
            ) from None
        raise


def call_step_sync(
    fn: Callable[..., Any],
    ctx: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    limit: float | None,
    key: str,
) -> Any:
    """Run a plain ``def`` step. A thread cannot be interrupted, so ``limit`` is enforced by
    the server instead: its heartbeat stops extending the lease past the step's timeout, and a
    result recorded after it is refused (StepTimeoutError)."""
    return fn(ctx, *args, **kwargs)


def current_task() -> asyncio.Task[Any] | None:
    """The asyncio task running the workflow, which a cancellation seen by the heartbeat cancels."""
    return asyncio.current_task()


def current_task_sync() -> Any:
    """Threads cannot be cancelled: a cancelled ``def`` workflow stops at its next step."""
    return None


def cancel_task(task: asyncio.Task[Any] | None) -> None:
    if task is not None:
        task.get_loop().call_soon_threadsafe(task.cancel)


def uncancel_task(task: asyncio.Task[Any] | None) -> None:
    """Withdraw the cancellation :func:`cancel_task` asked for, once it has been turned into
    WorkflowCancelledError, so that the task's owner is not cancelled as well."""
    if task is not None:
        task.uncancel()
