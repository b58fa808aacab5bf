"""Live updates: one LISTEN connection for the whole dashboard, pushed to open pages as
server-sent events.

The server listens on the four pgqrs channels. A notification's payload is an opaque tag
(``pgqrs.notify_tag``), so it says that something happened, not to what: a page that lists
workflows (Overview, Workflows, Workers, Queues) refreshes on any notification; a workflow's page
subscribes to the tags of that workflow (``done:<id>``, ``work:<name>``, its children's
``done:``, its event keys and message topics), computed here from the install's key, and
refreshes only on those. Notifications are coalesced: each page hears at most one ``change``
event per ``interval`` seconds (1 by default) however busy the database is, and the browser
fetches only its live region again, so a thousand workflows finishing per second cost each open
page one small request per second, and the database one read.

Steps record no notification, so a page showing a running workflow also refreshes on its own
every few seconds (``dashboard.js``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import psycopg

from .. import _listen, _sql

logger = logging.getLogger("pgqrs.dashboard")

# SSE keep-alive: a comment line this often, so that proxies keep the stream open.
KEEPALIVE_SECONDS = 15.0


class Subscriber:
    """One open page: the tags it cares about (None: any), and whether a change is waiting."""

    def __init__(self, tags: frozenset[str] | None) -> None:
        self.tags = tags
        self._event = asyncio.Event()

    def _notify(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> bool:
        """True when a change came within ``seconds``."""
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            return False
        self._event.clear()
        return True


class Live:
    """The LISTEN connection and its subscribers. It connects when the first page subscribes,
    reconnects with a backoff, and tells every page to refresh after a reconnect (anything may
    have been missed)."""

    def __init__(self, dsn: str, *, interval: float = 1.0) -> None:
        self.dsn = dsn
        self.interval = interval
        self.subscribers: set[Subscriber] = set()
        self.notifications = 0  # how many arrived, for tests and the log
        self._pending: set[str] = set()
        self._any = False
        self._flush: asyncio.TimerHandle | None = None
        self._last_flush = 0.0
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    def subscribe(self, tags: frozenset[str] | None) -> Subscriber:
        sub = Subscriber(tags)
        self.subscribers.add(sub)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="pgqrs-live")
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self.subscribers.discard(sub)

    async def listening(self, seconds: float = 5.0) -> bool:
        """Wait until LISTEN is in place (for tests)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), seconds)
        return self._listening.is_set()

    async def close(self) -> None:
        task, self._task = self._task, None
        if self._flush is not None:
            self._flush.cancel()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        backoff = 0.2
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as conn:
                    for statement in _sql.LISTEN_ALL:
                        await conn.execute(statement)
                    self._listening.set()
                    backoff = 0.2
                    self._received(None)  # what happened while not listening
                    async for note in conn.notifies():
                        self._received(note.payload)
            except psycopg.OperationalError as exc:
                self._listening.clear()
                logger.warning("pgqrs dashboard: listen connection lost: %s", exc)
            except psycopg.Error as exc:
                self._listening.clear()
                logger.warning("pgqrs dashboard: cannot LISTEN: %s; pages refresh on a timer", exc)
                return
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)

    def _received(self, tag: str | None) -> None:
        """Note a notification (None: anything may have changed) and schedule a flush."""
        if tag is None:
            self._any = True
        else:
            self.notifications += 1
            self._pending.add(tag)
        if self._flush is None:
            wait = max(0.0, self._last_flush + self.interval - time.monotonic())
            self._flush = asyncio.get_running_loop().call_later(wait, self._send)

    def _send(self) -> None:
        self._flush = None
        self._last_flush = time.monotonic()
        pending, self._pending = self._pending, set()
        everything, self._any = self._any, False
        for sub in list(self.subscribers):
            if everything or sub.tags is None or not sub.tags.isdisjoint(pending):
                sub._notify()


def tags_for(key: bytes, subjects: list[str]) -> frozenset[str]:
    """The notification tags of ``subjects`` (``done:<id>``, ``work:<name>``, ...)."""
    return frozenset(_listen.tag(key, subject) for subject in subjects)
