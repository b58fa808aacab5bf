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

On the proxy of a cluster (docs/scale-out.md) the notifications come from the shards, and the
proxy hears none: the listener then holds one LISTEN connection per shard (``targets``, asked
once when it starts), and a subscription is ready while any of them listens.

:class:`AsyncListener` runs its connection in an asyncio task, :class:`Listener` in a daemon
thread; ``tools/gen_sync.py`` renames the one to the other in the sync twins.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from . import _sql

logger = logging.getLogger("pgqrs")


def tag(key: bytes, subject: str) -> str:
    """The payload pgqrs sends for ``subject`` (the same as ``pgqrs.notify_tag``)."""
    return hashlib.sha256(key + subject.encode()).hexdigest()[:16]


def listen_conninfo(client_dsn: str, shard: str) -> str:
    """Where a client LISTENs on a shard of a cluster: the shard's connection string, as the
    proxy records it (no login), with the client's own login (docs/scale-out.md)."""
    login = {k: v for k, v in conninfo_to_dict(client_dsn).items() if k in ("user", "password")}
    return make_conninfo(shard, **{k: v for k, v in login.items() if v})


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
    """The LISTEN connections of an async store (see the module docstring): one to ``dsn``, or
    one to each DSN ``targets`` returns when the first subscription starts them. Each connects
    on the first subscription, reconnects with a backoff when its connection is lost, and stops
    with :meth:`close`. With ``enabled=False`` (a transaction-pooling PgBouncer) it never
    connects and every wait is a poll."""

    def __init__(
        self,
        dsn: str,
        *,
        enabled: bool = True,
        targets: Callable[[], Awaitable[Sequence[str]]] | None = None,
    ) -> None:
        self._dsn = dsn
        self._enabled = enabled
        self._targets = targets
        self._subs: set[AsyncSubscription] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._up: set[int] = set()  # the connections that listen now, by position
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
        if not self._tasks or all(task.done() for task in self._tasks):
            dsns: Sequence[str] = (self._dsn,)
            if self._targets is not None:
                dsns = await self._targets() or dsns
            self._listening.clear()
            loop = asyncio.get_running_loop()
            self._tasks = [
                loop.create_task(self._run(n, dsn), name="pgqrs-listen")
                for n, dsn in enumerate(dsns)
            ]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), connect_seconds)
        return self._listening.is_set()

    async def _run(self, position: int, dsn: str) -> None:
        backoff = 0.1
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                    for statement in _sql.LISTEN_ALL:
                        await conn.execute(statement)
                    backoff = 0.1
                    self._up.add(position)
                    self._listening.set()
                    self._wake_all()  # anything sent while not listening
                    async for note in conn.notifies():
                        for sub in list(self._subs):
                            if sub.channel == note.channel and note.payload in sub.tags:
                                sub._wake()
            except psycopg.OperationalError as exc:
                self._lost(position)
                logger.warning("listen connection lost: %s", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            except psycopg.Error as exc:
                self._lost(position)
                self._failed = len(self._tasks) == 1
                logger.warning("cannot LISTEN (%s); waits poll instead", exc)
                return

    def _lost(self, position: int) -> None:
        self._up.discard(position)
        if not self._up:
            self._listening.clear()
        self._wake_all()

    def _wake_all(self) -> None:
        for sub in list(self._subs):
            sub._wake()

    async def close(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
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
    """The LISTEN connections of a sync store, each in a daemon thread; see
    :class:`AsyncListener` (``targets`` is a plain function here)."""

    def __init__(
        self,
        dsn: str,
        *,
        enabled: bool = True,
        targets: Callable[[], Sequence[str]] | None = None,
    ) -> None:
        self._dsn = dsn
        self._enabled = enabled
        self._targets = targets
        self._subs: set[Subscription] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._up: set[int] = set()
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
            started = any(thread.is_alive() for thread in self._threads)
        if not started:
            dsns: Sequence[str] = (self._dsn,)
            if self._targets is not None:
                dsns = self._targets() or dsns
            with self._lock:
                if not any(thread.is_alive() for thread in self._threads):
                    self._listening.clear()
                    self._stopping.clear()
                    self._threads = [
                        threading.Thread(
                            target=self._run, args=(n, dsn), name="pgqrs-listen", daemon=True
                        )
                        for n, dsn in enumerate(dsns)
                    ]
                    for thread in self._threads:
                        thread.start()
        self._listening.wait(connect_seconds)
        return self._listening.is_set()

    def _run(self, position: int, dsn: str) -> None:
        backoff = 0.1
        while not self._stopping.is_set():
            try:
                with psycopg.Connection.connect(dsn, autocommit=True) as conn:
                    for statement in _sql.LISTEN_ALL:
                        conn.execute(statement)
                    backoff = 0.1
                    with self._lock:
                        self._up.add(position)
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
                self._lost(position)
                if self._stopping.is_set():
                    return
                logger.warning("listen connection lost: %s", exc)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            except psycopg.Error as exc:
                self._lost(position)
                self._failed = len(self._threads) == 1
                logger.warning("cannot LISTEN (%s); waits poll instead", exc)
                return

    def _lost(self, position: int) -> None:
        with self._lock:
            self._up.discard(position)
            if not self._up:
                self._listening.clear()
        self._wake_all()

    def _wake_all(self) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            sub._wake()

    def close(self) -> None:
        self._stopping.set()
        threads, self._threads = self._threads, []
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5.0)
