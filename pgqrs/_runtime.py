"""Process-level helpers that differ between asyncio and threads: the lease ticker, a call
deferred by a delay, running a step under a timeout, cancelling a run, and the default runner id.
The async client modules use the async ones (:class:`AsyncTicker`, :class:`AsyncDeferred`,
:func:`call_step`, :func:`current_task`); ``tools/gen_sync.py`` renames them to the thread ones
with the same interface for their ``*_sync.py`` twins."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import os
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from . import errors


def default_runner_id() -> str:
    """``$PGQRS_RUNNER_ID``, or ``host:pid``. Give a process a stable runner id (for example
    the pod or unit name) so that after a restart it takes over its own leases at once."""
    return os.environ.get("PGQRS_RUNNER_ID") or f"{socket.gethostname()}:{os.getpid()}"


class AsyncTicker:
    """Calls ``beat`` every ``interval`` seconds until it returns False or :meth:`stop` is
    called. Between beats it is only a timer: a run that ends before its first beat (most
    of them) costs no task."""

    def __init__(self, interval: float, beat: Callable[[], Awaitable[bool]]) -> None:
        self._interval = interval
        self._beat = beat
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._timer = asyncio.get_running_loop().call_later(self._interval, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self._task = asyncio.get_running_loop().create_task(self._once(), name="pgqrs-heartbeat")

    async def _once(self) -> None:
        if await self._beat() and self._task is asyncio.current_task():
            self._task = None
            self.start()

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
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


class AsyncDeferred:
    """Runs ``fn`` once, in its own asyncio task, ``delay`` seconds from now, unless
    :meth:`finish` or :meth:`cancel` comes first."""

    def __init__(self, delay: float, fn: Callable[[], Awaitable[Any]]) -> None:
        self._fn = fn
        self._task: asyncio.Task[Any] | None = None
        self._timer: asyncio.TimerHandle | None = asyncio.get_running_loop().call_later(
            delay, self._fire
        )

    def _fire(self) -> None:
        self._timer = None
        self._task = asyncio.ensure_future(self._fn())
        # Its outcome is read by finish(); when nobody does, it must not be reported as lost.
        self._task.add_done_callback(lambda t: t.cancelled() or t.exception())

    def cancel(self) -> None:
        """Stop it from starting (one that started already goes on, and nobody waits for it)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def finish(self) -> bool:
        """Stop it from starting, or wait until it has run (raising what it raised). True when
        it ran."""
        self.cancel()
        if self._task is None:
            return False
        await asyncio.shield(self._task)
        return True


class _Scheduler:
    """One daemon thread per process that starts the due :class:`Deferred` calls, each in a
    thread of its own (so a slow one delays no other)."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Deferred]] = []
        self._count = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, delay: float, item: Deferred) -> None:
        with self._cond:
            self._count += 1
            heapq.heappush(self._due, (time.monotonic() + delay, self._count, item))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="pgqrs-scheduler", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._due or self._due[0][0] > time.monotonic():
                    self._cond.wait(self._due[0][0] - time.monotonic() if self._due else None)
                _at, _n, item = heapq.heappop(self._due)
            if item.claim():
                threading.Thread(target=item.run, name="pgqrs-deferred", daemon=True).start()


_scheduler = _Scheduler()


class Deferred:
    """Runs ``fn`` once, in a thread, ``delay`` seconds from now, unless :meth:`finish` or
    :meth:`cancel` comes first."""

    def __init__(self, delay: float, fn: Callable[[], Any]) -> None:
        self._fn = fn
        self._lock = threading.Lock()
        self._state = "waiting"  # -> "cancelled", or "running" -> "done"
        self._done = threading.Event()
        self._error: BaseException | None = None
        _scheduler.add(delay, self)

    def claim(self) -> bool:
        with self._lock:
            if self._state != "waiting":
                return False
            self._state = "running"
            return True

    def run(self) -> None:
        try:
            self._fn()
        except BaseException as exc:
            self._error = exc
        finally:
            self._done.set()

    def cancel(self) -> None:
        with self._lock:
            if self._state == "waiting":
                self._state = "cancelled"

    def finish(self) -> bool:
        self.cancel()
        with self._lock:
            if self._state == "cancelled":
                return False
        self._done.wait()
        if self._error is not None:
            raise self._error
        return True


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
