"""How workflows and steps run and are retried, and what counts as their failure.

The retry policy of steps (RetryPolicy and the ``@step`` overrides), the options a workflow is
submitted with, and the classification of exceptions: a failure to record, an interruption, or
this runner being fenced out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg_pool import PoolClosed

from . import _codec, _dberrors, _tracing, errors

# --- retry policy ---------------------------------------------------------------------------------

# Errors that retrying cannot fix: bad data and programming errors fail a step at once, unless
# a policy names them in retry_on explicitly.
DEFAULT_GIVE_UP_ON: tuple[type[BaseException], ...] = (
    errors.NonRetryable,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    NotImplementedError,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a failing step is tried, and how long pgqrs waits in between.

    ``max_attempts`` counts every attempt (1: no retries). After the nth failure pgqrs waits
    ``min(max_backoff, backoff * 2**(n-1))`` seconds, half of it randomized ("equal jitter"); the
    SQL function that records the failure computes this, so every client language behaves the
    same. An exception is retried when it is an instance of ``retry_on`` and not of
    ``give_up_on``; naming a type in ``retry_on`` explicitly overrides ``give_up_on`` for it, but
    :class:`pgqrs.NonRetryable` always fails at once.
    """

    max_attempts: int = 1
    backoff: float = 1.0
    max_backoff: float = 3600.0
    retry_on: tuple[type[BaseException], ...] = (Exception,)
    give_up_on: tuple[type[BaseException], ...] = DEFAULT_GIVE_UP_ON

    def __post_init__(self) -> None:
        if not 1 <= self.max_attempts <= 1000:
            raise errors.InvalidArgumentError(
                f"max_attempts must be between 1 and 1000, got {self.max_attempts}"
            )
        if not 0 < self.backoff <= self.max_backoff <= 31 * 86400:
            raise errors.InvalidArgumentError(
                "backoff must satisfy 0 < backoff <= max_backoff <= 31 days, got "
                f"{self.backoff} and {self.max_backoff}"
            )

    def retryable(self, exc: BaseException) -> bool:
        """True when a failed attempt that raised ``exc`` may be retried."""
        if isinstance(exc, errors.NonRetryable) or not isinstance(exc, self.retry_on):
            return False
        named = any(t in self.retry_on for t in type(exc).__mro__ if t is not Exception)
        return named or not isinstance(exc, self.give_up_on)

    def with_retries(
        self, retries: int | None, backoff: float | None, max_backoff: float | None
    ) -> RetryPolicy:
        """This policy with the given fields replaced (``retries`` = max_attempts - 1)."""
        return RetryPolicy(
            max_attempts=self.max_attempts if retries is None else retries + 1,
            backoff=self.backoff if backoff is None else backoff,
            max_backoff=(
                max(self.max_backoff, backoff or 0) if max_backoff is None else max_backoff
            ),
            retry_on=self.retry_on,
            give_up_on=self.give_up_on,
        )


NO_RETRIES = RetryPolicy()


@dataclass(frozen=True, slots=True)
class RetryOverrides:
    """What ``@step(retries=..., backoff=..., ...)`` says, resolved against the store's default
    policy when the step runs (``retry=`` replaces the policy outright)."""

    policy: RetryPolicy | None = None
    retries: int | None = None
    backoff: float | None = None
    max_backoff: float | None = None
    retry_on: tuple[type[BaseException], ...] | None = None

    def resolve(self, default: RetryPolicy) -> RetryPolicy:
        if self.policy is not None:
            return self.policy
        base = default.with_retries(self.retries, self.backoff, self.max_backoff)
        if self.retry_on is None:
            return base
        return RetryPolicy(
            base.max_attempts, base.backoff, base.max_backoff, self.retry_on, base.give_up_on
        )


# --- workflow options -----------------------------------------------------------------------------


# The options a @workflow(...) decorator may give defaults for.
DEFAULTABLE = (
    "timeout",
    "retries",
    "retry_backoff",
    "retry_max_backoff",
    "queue",
    "priority",
    "concurrency_key",
)


def with_defaults(workflow: Any, **given: Any) -> dict[str, Any]:
    """``given``, with each None replaced by the ``@workflow(...)`` default of ``workflow``."""
    defaults: dict[str, Any] = getattr(workflow, "__pgqrs_workflow_options__", {})
    return {key: defaults.get(key) if value is None else value for key, value in given.items()}


def merged(
    workflow: Any, options: dict[str, Any], keys: tuple[str, ...] = DEFAULTABLE
) -> dict[str, Any]:
    """The start ``options`` given, plus the ``@workflow(...)`` defaults of ``workflow`` among
    ``keys`` for those not given (or None)."""
    defaults: dict[str, Any] = getattr(workflow, "__pgqrs_workflow_options__", {})
    out = {key: value for key, value in options.items() if value is not None}
    for key in keys:
        if key not in out and defaults.get(key) is not None:
            out[key] = defaults[key]
    return out


def workflow_name(workflow: str | Any) -> str:
    """The registered name of a ``@workflow`` function, or the name itself."""
    if isinstance(workflow, str):
        return workflow
    name = getattr(workflow, "__pgqrs_workflow__", None)
    if not isinstance(name, str):
        raise TypeError(f"{workflow!r} is not a @workflow function or a workflow name")
    return name


def workflow_options(
    *,
    queued: bool,
    id: UUID | str | None = None,
    idempotency_key: str | None = None,
    run_at: datetime | None = None,
    max_recoveries: int | None = None,
    timeout: float | None = None,
    deadline: datetime | None = None,
    retries: int | None = None,
    retry_backoff: float | None = None,
    retry_max_backoff: float | None = None,
    queue: str | None = None,
    priority: int | None = None,
    concurrency_key: str | None = None,
    debounce_key: str | None = None,
    debounce: float | None = None,
    parent_id: UUID | None = None,
) -> str:
    """The ``p_options`` JSON of ``pgqrs.submit_workflow`` (and ``start_workflows``): only the
    options that were given. ``queued`` is false for a workflow its caller runs; ``queue`` names
    the queue of a queued one (the SQL checks every bound: PQ008)."""
    options: dict[str, Any] = {"queue": queued}
    if queue is not None:
        if not isinstance(queue, str):
            raise errors.InvalidArgumentError(f"queue must be a queue name, got {queue!r}")
        if not queued:
            raise errors.InvalidArgumentError(
                f"queue={queue!r} is for workflows started for workers, not run here"
            )
        options["queue"] = queue
    if parent_id is not None:
        options["parent_id"] = str(parent_id)
    if id is not None:
        options["id"] = str(_codec.as_uuid(id))
    if idempotency_key is not None:
        options["idempotency_key"] = idempotency_key
    for key, when in (("run_at", run_at), ("deadline", deadline)):
        if when is not None:
            if not isinstance(when, datetime) or when.tzinfo is None:
                raise errors.InvalidArgumentError(
                    f"{key} must be a timezone-aware datetime, got {when!r}"
                )
            options[key] = when.isoformat()
    if max_recoveries is not None:
        options["max_recoveries"] = max_recoveries
    if timeout is not None:
        if not timeout > 0:
            raise errors.InvalidArgumentError(
                f"timeout must be a positive number of seconds, got {timeout!r}"
            )
        options["timeout_seconds"] = timeout
    if retries is not None:
        options["max_attempts"] = retries + 1
    if retry_backoff is not None:
        options["retry_backoff_seconds"] = retry_backoff
    if retry_max_backoff is not None:
        options["retry_max_backoff_seconds"] = retry_max_backoff
    if priority is not None:
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise errors.InvalidArgumentError(f"priority must be an integer, got {priority!r}")
        options["priority"] = priority
    if concurrency_key is not None:
        options["concurrency_key"] = concurrency_key
    if debounce_key is not None or debounce is not None:
        if debounce_key is None or debounce is None:
            raise errors.InvalidArgumentError(
                "debounce_key and debounce (seconds) go together: a start within `debounce`"
                " seconds of another with the same key postpones it"
            )
        options["debounce_key"] = debounce_key
        options["debounce_seconds"] = debounce
    if (traceparent := _tracing.traceparent()) is not None:  # docs/observability.md
        options["traceparent"] = traceparent
    return json.dumps(options)


# --- what counts as a failure ---------------------------------------------------------------------


def workflow_error_text(error: BaseException) -> str:
    """The error a failed workflow is recorded with. It carries ``"retryable": false`` when a
    whole-workflow retry cannot help (the SQL then fails the workflow for good): a
    :class:`~pgqrs.NonRetryable`, a code change, or an error of the default give-up list."""
    stored = _codec.error_object(error)
    if isinstance(
        error, (errors.NonRetryable, errors.WorkflowCodeChangedError, *DEFAULT_GIVE_UP_ON)
    ):
        stored["retryable"] = False
    return json.dumps(stored)


def is_interruption(exc: BaseException) -> bool:
    """True for exceptions that stop the process rather than fail the step or workflow.

    Such an exception leaves the step RUNNING, so it runs again when the workflow resumes.
    """
    import asyncio

    return isinstance(exc, (asyncio.CancelledError, KeyboardInterrupt, SystemExit, GeneratorExit))


def is_fencing(exc: BaseException) -> bool:
    """True when the runner lost the right to write: nothing more may be recorded (its lease
    was taken over, or the workflow was cancelled or passed its deadline)."""
    return isinstance(
        exc, (errors.LeaseLostError, errors.WorkflowBusyError, errors.WorkflowCancelledError)
    )


def is_failure(exc: BaseException) -> bool:
    """True when an exception is the step's or workflow's own failure, to be recorded.

    Not a failure: the process being stopped (interruption, or a worker draining), this runner
    being fenced out, or the database being unreachable (the work resumes once it is back).
    """
    return not (
        is_interruption(exc)
        or is_fencing(exc)
        or _dberrors.is_transient(exc)
        or isinstance(exc, (errors.WorkerStopping, errors.WorkflowSuspended, PoolClosed))
    )
