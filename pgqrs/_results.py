"""What pgqrs returns: the frozen result types of the admin API and their row converters,
and the final outcome of a workflow (its output, or its failure raised as an exception)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast
from uuid import UUID

from . import errors

FINAL_STATUSES = ("SUCCESS", "FAILED", "DEAD", "CANCELLED")  # no runner will change them by itself


@dataclass(frozen=True, slots=True)
class Outcome:
    """The final state of a workflow that was already finished (or DEAD) when acquired."""

    status: Literal["SUCCESS", "FAILED", "DEAD", "CANCELLED"]
    output: Any
    error: dict[str, Any] | None

    def result(self, workflow_id: UUID) -> Any:
        """The stored output, or the stored failure raised as WorkflowFailedError
        (WorkflowDeadError for a DEAD workflow, WorkflowCancelledError for a CANCELLED one)."""
        if self.status == "SUCCESS":
            return self.output
        if self.status == "DEAD":
            raise errors.WorkflowDeadError(str(workflow_id), self.error or {})
        if self.status == "CANCELLED":
            raise errors.WorkflowCancelledError.from_stored(str(workflow_id), self.error or {})
        raise errors.WorkflowFailedError(str(workflow_id), self.error or {})


def awaited_result(workflow_id: UUID, outcome: dict[str, Any]) -> Any:
    """The result of a workflow as ``pgqrs.await_workflow`` recorded it: its output, or its
    failure raised as WorkflowFailedError, WorkflowDeadError or WorkflowCancelledError."""
    status = outcome.get("status")
    if status not in FINAL_STATUSES:
        raise errors.InvalidStateError(f"workflow {workflow_id} is {status}: it has no result")
    final = cast(Literal["SUCCESS", "FAILED", "DEAD", "CANCELLED"], status)
    return Outcome(final, outcome.get("output"), outcome.get("error")).result(workflow_id)


@dataclass(frozen=True, slots=True)
class WorkflowInfo:
    """Everything about one workflow but its steps, as ``pgqrs.describe_workflow`` returns it."""

    id: UUID
    name: str
    status: Literal["PENDING", "RUNNING", "SUCCESS", "FAILED", "DEAD", "CANCELLED"]
    idempotency_key: str | None
    input: Any
    output: Any
    error: dict[str, Any] | None
    lease_owner: str | None
    lease_token: int
    lease_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    queued: bool
    available_at: datetime | None
    recoveries: int
    max_recoveries: int
    deadline_at: datetime | None
    attempt: int
    max_attempts: int
    retry_backoff: float
    retry_max_backoff: float
    forked_from: UUID | None
    parent_id: UUID | None
    waiting_for: str | None

    @property
    def done(self) -> bool:
        """True once the workflow is SUCCESS, FAILED, DEAD or CANCELLED."""
        return self.status in FINAL_STATUSES

    def result(self) -> Any:
        """The output of a SUCCESS workflow; raises WorkflowFailedError for FAILED,
        WorkflowDeadError for DEAD, WorkflowCancelledError for CANCELLED, and InvalidStateError
        while it is not :attr:`done`."""
        if self.status not in FINAL_STATUSES:
            raise errors.InvalidStateError(
                f"workflow {self.id} is {self.status}: it has no result yet"
            )
        status = cast(Literal["SUCCESS", "FAILED", "DEAD", "CANCELLED"], self.status)
        return Outcome(status, self.output, self.error).result(self.id)


@dataclass(frozen=True, slots=True)
class StepInfo:
    """One recorded step, as ``pgqrs.list_steps`` returns it."""

    key: str
    status: Literal["RUNNING", "SUCCESS", "FAILED", "RETRYING"]
    output: Any
    error: dict[str, Any] | None
    attempt: int
    lease_token: int
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class StepAttempt:
    """One attempt of one step, as ``pgqrs.list_step_attempts`` returns it: a failed attempt
    (``status`` FAILED, with its error), or a step's current one (RUNNING or SUCCESS)."""

    key: str
    position: int | None
    attempt: int
    status: Literal["RUNNING", "SUCCESS", "FAILED"]
    error: dict[str, Any] | None
    owner: str | None
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """One registered worker, as ``pgqrs.list_workers`` returns it."""

    name: str
    hostname: str | None
    pid: int | None
    workflows: list[str]
    concurrency: int
    started_at: datetime
    heartbeat_at: datetime
    stopped_at: datetime | None
    alive: bool
    running: list[UUID]


@dataclass(frozen=True, slots=True)
class WorkflowCount:
    """How many workflows of one name are in one status (``pgqrs.workflow_counts``)."""

    name: str
    status: str
    count: int
    oldest: datetime
    served: bool


@dataclass(frozen=True, slots=True)
class WorkflowSummary:
    """One row of ``pgqrs.list_workflows_page``: a workflow without its values, with where it
    waits (``queue``, ``priority``, ``concurrency_key``) and, in ``held_by``, why a queued
    workflow is not running now: ``'waiting for message:topic'``, ``'available at ...'``, ``'queue
    q is paused'``, ``'queue q: concurrency 4 of 4'``, ``'queue q: rate limit 100 per
    00:01:00'``, ``'queue q: key k at 2 of 2'``, ``'no live worker serves name'`` (None when
    nothing holds it back)."""

    id: UUID
    name: str
    status: str
    lease_owner: str | None
    recoveries: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    idempotency_key: str | None
    queued: bool
    available_at: datetime | None
    lease_expires_at: datetime | None
    waiting_for: str | None
    deadline_at: datetime | None
    parent_id: UUID | None
    attempt: int
    queue: str
    priority: int
    concurrency_key: str | None
    held_by: str | None


class Unset:
    """The type of :data:`UNSET`: a setting left as it is (None removes it)."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """The limits of one queue, as ``pgqrs.set_queue`` returns them (None: no limit)."""

    name: str
    concurrency: int | None
    worker_concurrency: int | None
    rate_limit: int | None
    rate_period_seconds: float | None
    key_concurrency: int | None
    paused: bool
    updated_at: datetime

    @property
    def rate(self) -> str | None:
        """The rate limit as ``"100/60s"``, None without one."""
        return format_rate(self.rate_limit, self.rate_period_seconds)


@dataclass(frozen=True, slots=True)
class QueueInfo:
    """One queue, as ``pgqrs.list_queues`` returns it: its limits (None: no limit), and what
    it holds now: ``queued`` (waiting for a runner), ``running`` (with a live lease), the rate
    permits free now and the concurrency keys it serves."""

    name: str
    concurrency: int | None
    worker_concurrency: int | None
    rate_limit: int | None
    rate_period_seconds: float | None
    key_concurrency: int | None
    paused: bool
    queued: int
    running: int
    permits_free: int | None
    keys: int

    @property
    def rate(self) -> str | None:
        """The rate limit as ``"100/60s"``, None without one."""
        return format_rate(self.rate_limit, self.rate_period_seconds)


_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d*)?)?\s*([smhd])?\s*$")


def parse_rate(rate: tuple[int, float] | str) -> tuple[int, float]:
    """``(count, period_seconds)`` of a rate limit: ``(100, 60)``, ``"100/60s"``, ``"100/m"``,
    ``"5/1.5h"``; InvalidArgumentError otherwise."""
    if isinstance(rate, tuple) and len(rate) == 2:
        count, period = rate
        if isinstance(count, int) and isinstance(period, int | float):
            return count, float(period)
    if isinstance(rate, str):
        match = _RATE.match(rate)
        if match and (match.group(2) or match.group(3)):
            number = float(match.group(2)) if match.group(2) else 1.0
            return int(match.group(1)), number * _UNITS[match.group(3) or "s"]
    raise errors.InvalidArgumentError(
        f"a rate is (count, seconds) or 'COUNT/PERIOD' such as '100/60s', '100/m' or '5/1h';"
        f" got {rate!r}"
    )


def format_rate(count: int | None, period: float | None) -> str | None:
    """``"100/60s"`` for a rate limit, None without one."""
    if count is None or period is None:
        return None
    return f"{count}/{period:g}s"


@dataclass(frozen=True, slots=True)
class PruneResult:
    """What one ``pgqrs.prune`` call deleted: rows of each table (``messages`` counts both the
    messages of the deleted workflows and consumed messages older than the window). ``more``:
    the call stopped at its limit, call again; ``busy``: another transaction was pruning this
    database, so this call did nothing."""

    workflows: int
    steps: int
    step_attempts: int
    messages: int
    events: int
    more: bool
    busy: bool

    @property
    def rows(self) -> int:
        """Every row deleted, in every table."""
        return self.workflows + self.steps + self.step_attempts + self.messages + self.events


def workflow_info(row: tuple[Any, ...]) -> WorkflowInfo:
    return WorkflowInfo(*row)


def step_info(row: tuple[Any, ...]) -> StepInfo:
    return StepInfo(*row)


def step_attempt(row: tuple[Any, ...]) -> StepAttempt:
    return StepAttempt(*row)


def prune_result(row: tuple[Any, ...]) -> PruneResult:
    return PruneResult(*row)
