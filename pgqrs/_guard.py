"""The step guard: :class:`StepGuard` records the outcome of one acquired step, and
:class:`StepResult` is what acquiring a step returns (a replayed value, or a guard).

``_guard_sync.py`` is generated from this file (``make gen``): edit this one, not the twin.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, LiteralString, Protocol
from uuid import UUID

from . import _codec, _runtime, _sql, errors
from ._policy import RetryPolicy

# A step that starts without begin_step (see Run.fresh) gets its RUNNING row this many seconds
# after it started, if it is still running: a short step costs one statement (record_step), and a
# long one still shows as RUNNING, with its attempt counted if its runner dies.
BEGIN_AFTER = 0.05


class Context(Protocol):
    """What a :class:`StepGuard` needs of the workflow context whose step it records (a
    :class:`PyWorkflow`, which sits above this module): its id, the step records its run still
    owes, and its two writes."""

    id: UUID
    _pending: list[tuple[StepGuard, str]]

    @property
    def codec(self) -> _codec.Codec: ...

    async def _call(self, query: LiteralString, params: Sequence[Any]) -> list[tuple[Any, ...]]: ...

    async def _begin_step(
        self, key: str, token: int, position: int, policy: RetryPolicy, timeout: float | None
    ) -> tuple[Any, ...]: ...


@dataclass(frozen=True, slots=True)
class StepResult:
    """What :meth:`PyWorkflow.acquire_step` returns.

    ``status`` is "SKIPPED" (the step succeeded before; ``value`` is its stored result and
    ``guard`` is None) or "EXECUTE" (run it, then call ``guard.success(v)`` or ``guard.fail(e)``).
    """

    status: Literal["SKIPPED", "EXECUTE"]
    value: Any
    guard: StepGuard | None


class StepGuard:
    """Records the outcome of one acquired step. Each call is one durable write.

    A new step starts without a round trip: its row is written with its outcome, by
    ``pgqrs.record_step``. One still running after ``BEGIN_AFTER`` (50 ms) is marked RUNNING by
    ``pgqrs.begin_step`` in the background, so that it shows as running and its attempt counts if
    this process dies. Any other step (with a timeout, retried, or left RUNNING by a runner that
    died) was begun by ``begin_step`` before its guard was made.
    """

    def __init__(
        self,
        ctx: Context,
        key: str,
        token: int,
        position: int,
        policy: RetryPolicy,
        *,
        begun: bool,
        attempt: int = 1,
    ) -> None:
        self._ctx = ctx
        self.key = key
        self.attempt = attempt  # which attempt of the step this is (1 for a new step)
        self._token = token
        self._position = position
        self._policy = policy
        self._started = time.monotonic()
        self._elapsed = 0.0
        self._begun = begun
        self._marker: _runtime.AsyncDeferred | None = None
        if not begun:
            self._marker = _runtime.AsyncDeferred(BEGIN_AFTER, self._begin)

    async def success(self, value: Any = None) -> None:
        """Record the step as SUCCESS with ``value`` (JSON-serializable).

        A value that cannot be stored (not JSON, or over the size limit) records the step
        FAILED with that error and raises it (InvalidValueError or PayloadTooLargeError).
        """
        await self._succeed(value)

    async def fail(self, error: BaseException | str) -> None:
        """Record the step as FAILED with an exception (type, message, traceback) or a message."""
        await self._failed(error, False)

    async def _succeed(self, value: Any, *, defer: bool = False) -> Any:
        """Record SUCCESS; returns the value as stored (its JSON round trip).

        With ``defer`` (``@step`` functions), a step without a RUNNING row is not written yet:
        its record joins the run's next write (the next step's start, a wait, or the
        workflow's outcome), in the same round trip and transaction, before anything that may
        depend on it runs. A crash in between runs the step again, as a crash just before the
        write would."""
        try:
            payload = _codec.encode(value, f"output of step {self.key!r}", self._ctx.codec)
        except errors.InvalidValueError as bad:  # not JSON
            await self._failed(bad, False)
            raise
        self._elapsed = time.monotonic() - self._started
        begun = await self._settle()
        if defer and not begun:
            self._ctx._pending.append((self, payload))
        else:
            await self._store(payload)
        return _codec.roundtrip(payload)

    def _statement(self, payload: str) -> tuple[LiteralString, tuple[Any, ...]]:
        """The statement that records this step's SUCCESS: ``complete_step`` for a begun step,
        ``record_step`` (which creates the row) otherwise."""
        ctx = self._ctx
        if self._begun:
            return _sql.COMPLETE_STEP, (ctx.id, self.key, self._token, payload)
        return (
            _sql.RECORD_STEP,
            (ctx.id, self.key, self._token, self._position, payload, self._elapsed),
        )

    async def _store(self, payload: str) -> None:
        """Record SUCCESS now (after the run's deferred records). A value the server cannot
        store (over the size limit) records the step FAILED with that error and raises it."""
        try:
            await self._ctx._call(*self._statement(payload))
        except errors.InvalidValueError as bad:
            await self._failed(bad, False)
            raise

    async def _failed(self, error: BaseException | str, retryable: bool) -> tuple[str, float]:
        """Record a failed attempt; the SQL answers RETRYING (with the delay) or FAILED."""
        ctx = self._ctx
        if not await self._settle():
            await self._begin()
            self._begun = True
        rows = await ctx._call(
            _sql.FAIL_STEP_ATTEMPT,
            (ctx.id, self.key, self._token, _codec.error_text(error), retryable),
        )
        status, _attempt, retry_in = rows[0]
        return str(status), float(retry_in)

    def _abandon(self) -> None:
        """The step ended without an outcome (the run was interrupted): begin nothing more."""
        if self._marker is not None:
            self._marker.cancel()

    async def _settle(self) -> bool:
        """Whether the step has its RUNNING row: stops a pending background begin_step, or waits
        for one that started (raising its error, such as a lost lease)."""
        marker, self._marker = self._marker, None
        if marker is not None and await marker.finish():
            self._begun = True
        return self._begun

    async def _begin(self) -> None:
        ctx = self._ctx
        status = (await ctx._begin_step(self.key, self._token, self._position, self._policy, None))[
            0
        ]
        if status != "EXECUTE":  # only a step with a row can get another answer
            raise errors.InvalidStateError(
                f"step {self.key!r} of workflow {ctx.id} was recorded by another runner"
                f" ({status}) while it ran here",
                sqlstate="PQ005",
            )
