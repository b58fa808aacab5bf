"""Retention: the pruner that keeps the pgqrs tables bounded (docs/retention.md).

Nothing is ever deleted but by ``pgqrs.prune`` (sql/src/12_retention.sql): finished workflow
trees older than a window, with their steps, attempts, messages and events, and consumed
messages, in bounded batches, one pruner per database at a time. This module holds the
options (:class:`Retention`, validated when a store or worker is made) and :class:`Pruner`, the
background task a worker with retention runs: a round every ``interval`` seconds (with jitter),
each round a loop of batches with a pause between them, one log line per round.

The pruner calls the database through the ``call`` it is given (a store's ``call``), so it
sits below the store and the store can validate its ``retention`` option with this module.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, LiteralString

from . import _sql, errors
from ._results import PruneResult, prune_result

logger = logging.getLogger("pgqrs.retention")

# The bounds pgqrs.prune enforces (PQ008), checked here first so that a bad option fails when
# the store or worker is made, with a message that names it.
MIN_WINDOW = timedelta(minutes=1)
MAX_WINDOW = timedelta(days=36500)  # 100 years
MAX_BATCH = 100_000

Call = Callable[..., Awaitable[list[tuple[Any, ...]]]]


def window(value: timedelta | float, what: str = "older_than") -> timedelta:
    """A retention window as a timedelta: a timedelta, or a number of seconds. Raises
    InvalidArgumentError, naming ``what``, outside [1 minute, 100 years]."""
    if isinstance(value, bool) or not isinstance(value, timedelta | int | float):
        raise errors.InvalidArgumentError(
            f"{what} must be a timedelta or a number of seconds, got {value!r}"
        )
    if not isinstance(value, timedelta):
        if not math.isfinite(value):
            raise errors.InvalidArgumentError(f"{what} must be finite, got {value!r}")
        try:
            value = timedelta(seconds=value)
        except OverflowError:
            raise errors.InvalidArgumentError(f"{what} is out of range: {value!r}") from None
    if not MIN_WINDOW <= value <= MAX_WINDOW:
        raise errors.InvalidArgumentError(
            f"{what} must be between 1 minute and 100 years, got {value}: a shorter window "
            "could delete an outcome before its waiter reads it"
        )
    return value


@dataclass(frozen=True, slots=True)
class Retention:
    """When workers delete old data, and how gently (docs/retention.md).

    ``older_than`` (a timedelta, or seconds; at least 1 minute): a finished workflow tree goes
    once every member finished more than this long ago, with its steps, attempts, messages and
    events; so do messages consumed more than this long ago. Only SUCCESS, FAILED and CANCELLED
    workflows go, DEAD ones too with ``include_dead`` (default False: a DEAD workflow waits for
    an operator to revive or inspect it).

    ``interval`` (default 60 s): a worker prunes once per interval, give or take a quarter (so
    that workers started together spread out); the first round comes within one interval of
    the start. ``batch`` (default 1000): the workflow trees one transaction deletes, which
    bounds how long it holds its locks and how much WAL it writes at once. ``pause`` (default 1
    s): the least a round waits between two batches; it waits at least as long as the batch
    took, so a pruner never keeps more than half of one connection busy.

    One pruner runs per database at a time: a worker that finds another pruning (``busy``)
    skips its round. Pass a Retention, a timedelta or a number of seconds as ``retention=`` to
    :func:`pgqrs.connect` or :class:`pgqrs.Worker`.
    """

    older_than: timedelta
    interval: float = 60.0
    batch: int = 1000
    pause: float = 1.0
    include_dead: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "older_than", window(self.older_than, "retention older_than"))
        _check_seconds("interval", self.interval, zero_ok=False)
        _check_seconds("pause", self.pause, zero_ok=True)
        if isinstance(self.batch, bool) or not isinstance(self.batch, int):
            raise errors.InvalidArgumentError(f"retention batch must be an int: {self.batch!r}")
        if not 1 <= self.batch <= MAX_BATCH:
            raise errors.InvalidArgumentError(
                f"retention batch must be between 1 and {MAX_BATCH}, got {self.batch}"
            )
        if not isinstance(self.include_dead, bool):
            raise errors.InvalidArgumentError("retention include_dead must be True or False")


def describe(value: timedelta) -> str:
    """A window as the command line writes it: ``30d``, ``12h``, ``90m``, ``3600s``."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _check_seconds(name: str, value: object, *, zero_ok: bool) -> None:
    """InvalidArgumentError unless ``value`` is a finite number of seconds above 0 (or 0 when
    ``zero_ok``)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
        or (value == 0 and not zero_ok)
    ):
        bound = "0 or more" if zero_ok else "above 0"
        raise errors.InvalidArgumentError(
            f"retention {name} must be a finite number of seconds, {bound}: got {value!r}"
        )


def retention_option(value: Retention | timedelta | float | None) -> Retention | None:
    """The ``retention=`` option of a store or worker: None (off), a Retention, or a window
    (a timedelta or seconds) with the default interval, batch and pause."""
    if value is None or isinstance(value, Retention):
        return value
    return Retention(window(value, "retention"))


def prune_call(
    older_than: timedelta, limit: int, include_dead: bool
) -> tuple[LiteralString, tuple[Any, ...]]:
    """The statement of one ``pgqrs.prune`` batch."""
    return _sql.PRUNE, (older_than, limit, include_dead)


@dataclass(slots=True)
class PruneTotals:
    """What a series of batches deleted, for a log line or the CLI."""

    workflows: int = 0
    steps: int = 0
    step_attempts: int = 0
    messages: int = 0
    events: int = 0
    batches: int = 0
    seconds: float = 0.0
    started: float = field(default_factory=time.monotonic)

    def add(self, result: PruneResult) -> None:
        self.workflows += result.workflows
        self.steps += result.steps
        self.step_attempts += result.step_attempts
        self.messages += result.messages
        self.events += result.events
        self.batches += 1
        self.seconds = time.monotonic() - self.started

    @property
    def rows(self) -> int:
        return self.workflows + self.steps + self.step_attempts + self.messages + self.events

    def counts(self) -> str:
        """``12 workflows, 36 steps, 0 step attempts, 4 messages, 1 event``."""
        parts: Sequence[tuple[int, str]] = (
            (self.workflows, "workflow"),
            (self.steps, "step"),
            (self.step_attempts, "step attempt"),
            (self.messages, "message"),
            (self.events, "event"),
        )
        return ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "workflows": self.workflows,
            "steps": self.steps,
            "step_attempts": self.step_attempts,
            "messages": self.messages,
            "events": self.events,
            "batches": self.batches,
            "seconds": round(self.seconds, 3),
        }


class Pruner:
    """The background task of a worker with retention: a round of ``pgqrs.prune`` batches
    every ``retention.interval`` seconds (jittered), until :meth:`stop`.

    ``call`` runs one statement (a store's ``call``: retried after a lost connection; prune is
    safe to repeat). ``name`` says whose pruner it is in the log. A round stops at the first
    batch that reports nothing more, or busy (another pruner holds the database's lock: this
    one waits for its next round), or when the pruner stops; an error is logged and the next
    round tries again.
    """

    def __init__(self, call: Call, retention: Retention, *, name: str) -> None:
        self._call = call
        self.retention = retention
        self.name = name
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the batch in flight, if any, and return from :meth:`run`."""
        self._stopping.set()

    async def run(self) -> None:
        """Prune in rounds until :meth:`stop`."""
        wait = random.uniform(0.0, self.retention.interval)
        while not await self._wait(wait):
            try:
                await self.prune_round()
            except Exception as exc:  # never let one bad round end the pruner
                logger.warning(
                    "pruner of %s: round failed, next in about %.0fs: %s: %s",
                    self.name,
                    self.retention.interval,
                    type(exc).__name__,
                    exc,
                )
            wait = self.retention.interval * random.uniform(0.75, 1.25)

    async def prune_round(self) -> PruneTotals:
        """One round: batches until nothing more is left, another pruner is at work, or the
        pruner stops; logs one line with what it deleted."""
        totals = PruneTotals()
        busy = False
        while True:
            started = time.monotonic()
            query, params = prune_call(
                self.retention.older_than, self.retention.batch, self.retention.include_dead
            )
            result = prune_result((await self._call(query, params))[0])
            if result.busy:
                busy = True
                break
            totals.add(result)
            if not result.more or await self._wait(
                max(self.retention.pause, time.monotonic() - started)
            ):
                break
        if totals.rows:
            logger.info(
                "pruner of %s deleted %s older than %s in %d batch%s (%.2fs)%s",
                self.name,
                totals.counts(),
                describe(self.retention.older_than),
                totals.batches,
                "" if totals.batches == 1 else "es",
                totals.seconds,
                "; another pruner took over" if busy else "",
            )
        elif busy:
            logger.debug("pruner of %s: another pruner is at work; skipping this round", self.name)
        else:
            logger.debug(
                "pruner of %s: nothing older than %s", self.name, self.retention.older_than
            )
        return totals

    async def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` or until :meth:`stop`; True when stopping."""
        if self._stopping.is_set():
            return True
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=max(seconds, 0.0))
        except TimeoutError:
            return False
        return True
