"""One LISTEN connection per store, shared by everything in the process that waits for pgqrs.

A waiter (``handle.result()``, ``admin.get_event()``, a receive or an await kept in process)
subscribes to the tags it waits for on a channel, checks the state it waits for, and then waits on
its subscription: a notification with one of its tags (or the listener losing its connection,
after which anything may have been missed) wakes it, and so does its timeout, the caller's
backstop. Subscribing first makes the check race-free: a notification sent after the check is
delivered to the subscription.

Payloads are opaque tags (``pgqrs.notify_tag``): the first 16 hex digits of sha256 over the
install's notification key and the subject (``done:<id>``, ``work:<name>``, ``event:<id> <key>``,
``message:<id> <topic>``). :func:`tag` computes them here from the key, read once per store.

:class:`AsyncListener` runs its connection in an asyncio task, :class:`Listener` in a daemon
thread; ``tools/gen_sync.py`` renames the one to the other in the sync twins.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
from collections.abc import AsyncIterator, Iterator

import psycopg

from . import _sql

logger = logging.getLogger("pgqrs")


def tag(key: bytes, subject: str) -> str:
    """The payload pgqrs sends for ``subject`` (the same as ``pgqrs.notify_tag``)."""
    return hashlib.sha256(key + subject.encode()).hexdigest()[:16]


class _Subscription:
    """Interest in some tags of one channel. ``ready`` is False when the listener could not
    LISTEN: then only the caller's timeout ends a wait (polling)."""

    def __init__(self, channel: str, tags: frozenset[str], ready: bool) -> None:
        self.channel = channel
        self.tags = tags
        self.ready = ready


class AsyncSubscription(_Subscription):
    def __init__(self, channel: str, tags: frozenset[str], ready: bool) -> None:
        super().__init__(channel, tags, ready)
        self._event = asyncio.Event()

    def _wake(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> bool:
        """Wait for a notification of this subscription, at most ``seconds``; True when one came
        (or may have been missed)."""
        try:
            await asyncio.wait_for(self._event.wait(), max(seconds, 0.0))
        except TimeoutError:
            return False
        self._event.clear()
        return True


class AsyncListener:
    """The LISTEN connection of an async store (see the module docstring). It connects on the
    first subscription, reconnects with a backoff when the connection is lost, and stops with
    :meth:`close`. With ``enabled=False`` (a transaction-pooling PgBouncer) it never connects and
    every wait is a poll."""

    def __init__(self, dsn: str, *, enabled: bool = True) -> None:
        self._dsn = dsn
        self._enabled = enabled
        self._subs: set[AsyncSubscription] = set()
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self._failed = False

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str, *tags: str) -> AsyncIterator[AsyncSubscription]:
        """A subscription to ``tags`` on ``channel``, active (LISTEN done) when it is
        yielded, so that a state checked afterwards cannot miss a notification."""
        ready = await self._start()
        sub = AsyncSubscription(channel, frozenset(tags), ready)
        self._subs.add(sub)
        try:
            yield sub
        finally:
            self._subs.discard(sub)

    async def _start(self, connect_seconds: float = 5.0) -> bool:
        if not self._enabled or self._failed:
            return False
        if self._task is None or self._task.done():
            self._listening.clear()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="pgqrs-listen")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), connect_seconds)
        return self._listening.is_set()

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._dsn, autocommit=True
                ) as conn:
                    for statement in _sql.LISTEN_ALL:
                        await conn.execute(statement)
                    backoff = 0.1
                    self._listening.set()
                    self._wake_all()  # anything sent while not listening
                    async for note in conn.notifies():
                        for sub in list(self._subs):
                            if sub.channel == note.channel and note.payload in sub.tags:
                                sub._wake()
            except psycopg.OperationalError as exc:
                self._listening.clear()
                self._wake_all()
                logger.warning("listen connection lost: %s", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            except psycopg.Error as exc:
                self._listening.clear()
                self._failed = True
                self._wake_all()
                logger.warning("cannot LISTEN (%s); waits poll instead", exc)
                return

    def _wake_all(self) -> None:
        for sub in list(self._subs):
            sub._wake()

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class Subscription(_Subscription):
    def __init__(self, channel: str, tags: frozenset[str], ready: bool) -> None:
        super().__init__(channel, tags, ready)
        self._event = threading.Event()

    def _wake(self) -> None:
        self._event.set()

    def wait(self, seconds: float) -> bool:
        """Wait for a notification of this subscription, at most ``seconds``; True when one came
        (or may have been missed)."""
        if not self._event.wait(max(seconds, 0.0)):
            return False
        self._event.clear()
        return True


class Listener:
    """The LISTEN connection of a sync store, in a daemon thread; see :class:`AsyncListener`."""

    def __init__(self, dsn: str, *, enabled: bool = True) -> None:
        self._dsn = dsn
        self._enabled = enabled
        self._subs: set[Subscription] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._listening = threading.Event()
        self._stopping = threading.Event()
        self._failed = False

    @contextlib.contextmanager
    def subscribe(self, channel: str, *tags: str) -> Iterator[Subscription]:
        """See :meth:`AsyncListener.subscribe`."""
        ready = self._start()
        sub = Subscription(channel, frozenset(tags), ready)
        with self._lock:
            self._subs.add(sub)
        try:
            yield sub
        finally:
            with self._lock:
                self._subs.discard(sub)

    def _start(self, connect_seconds: float = 5.0) -> bool:
        if not self._enabled or self._failed:
            return False
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._listening.clear()
                self._stopping.clear()
                self._thread = threading.Thread(target=self._run, name="pgqrs-listen", daemon=True)
                self._thread.start()
        self._listening.wait(connect_seconds)
        return self._listening.is_set()

    def _run(self) -> None:
        backoff = 0.1
        while not self._stopping.is_set():
            try:
                with psycopg.Connection.connect(self._dsn, autocommit=True) as conn:
                    for statement in _sql.LISTEN_ALL:
                        conn.execute(statement)
                    backoff = 0.1
                    self._listening.set()
                    self._wake_all()
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=0.5):
                            with self._lock:
                                subs = list(self._subs)
                            for sub in subs:
                                if sub.channel == note.channel and note.payload in sub.tags:
                                    sub._wake()
            except psycopg.OperationalError as exc:
                self._listening.clear()
                self._wake_all()
                if self._stopping.is_set():
                    return
                logger.warning("listen connection lost: %s", exc)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            except psycopg.Error as exc:
                self._listening.clear()
                self._failed = True
                self._wake_all()
                logger.warning("cannot LISTEN (%s); waits poll instead", exc)
                return

    def _wake_all(self) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            sub._wake()

    def close(self) -> None:
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)
