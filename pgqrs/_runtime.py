"""Process-level helpers that differ between asyncio and threads: the lease ticker and the
default runner id. ``_async.py`` uses :class:`AsyncTicker`; the generated ``_sync.py`` uses
:class:`Ticker` with the same interface."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
from collections.abc import Awaitable, Callable


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
