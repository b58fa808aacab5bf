"""Exceptions raised by pgqrs.

Every error pgqrs raises derives from :class:`PgqrsError`. Errors decided by the SQL functions
carry a SQLSTATE of class ``PQ``; each such class declares its code, and the registry built here
maps a server error to its class. ``pgqrs.error_codes()`` in SQL returns the same set of codes, and
a test keeps the two equal. See ``docs/errors.md``.

The tree::

    PgqrsError
     ├── WorkflowNotFoundError      PQ001  no workflow has that id
     ├── WorkflowBusyError          PQ002  another runner holds a live lease
     ├── LeaseLostError             PQ003  this runner was fenced out by a takeover
     ├── StepFailedError            PQ004  replay of a step that failed before
     ├── InvalidStateError          PQ005  the call does not fit the current state
     ├── IdempotencyConflictError   PQ006  an id or key reused for a different call
     ├── InvalidArgumentError       PQ008  an argument missing or outside its bounds
     ├── WorkerNotFoundError        PQ009  no worker is registered under that name
     ├── WorkflowCodeChangedError   PQ010  the code calls another step than the one recorded
     ├── WorkflowCancelledError     PQ011  the workflow was cancelled, or its deadline passed
     ├── StepTimeoutError           PQ012  a step ran past its timeout (also TimeoutError)
     ├── InvalidValueError          22P02, 22P05  a value that is not JSON, NaN, NUL characters
     │    ├── PayloadTooLargeError  PQ007  a value over pgqrs.max_payload_bytes
     │    └── ValueTooDeepError     PQ013  a value nested more than 256 levels deep
     ├── InsufficientPrivilegeError 42501  no privilege, or pgqrs.fake_now in an untrusted session
     ├── WorkflowFailedError        (client) running a workflow that ended FAILED
     │    └── WorkflowDeadError     (client) ... or that was stopped as a crash loop (DEAD)
     ├── WaitTimeoutError           (client) a workflow's result did not come in time
     ├── ConnectionFailedError      (client) pgqrs.connect() could not reach the database
     └── SchemaError                (client) the database schema cannot be installed or used

Not errors: ``NonRetryable`` (raise it, or subclass it, to fail a step without retries),
``WorkerStopping`` and ``WorkflowSuspended`` (``BaseException``s that unwind a workflow run).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

__all__ = [
    "ConnectionFailedError",
    "IdempotencyConflictError",
    "InsufficientPrivilegeError",
    "InvalidArgumentError",
    "InvalidStateError",
    "InvalidValueError",
    "LeaseLostError",
    "NonRetryable",
    "PayloadTooLargeError",
    "PgqrsError",
    "SchemaError",
    "StepFailedError",
    "StepTimeoutError",
    "ValueTooDeepError",
    "WaitTimeoutError",
    "WorkerNotFoundError",
    "WorkerStopping",
    "WorkflowBusyError",
    "WorkflowCancelledError",
    "WorkflowCodeChangedError",
    "WorkflowDeadError",
    "WorkflowFailedError",
    "WorkflowNotFoundError",
    "WorkflowSuspended",
    "error_class_for",
    "registered_sqlstates",
]

_BY_SQLSTATE: dict[str, type[PgqrsError]] = {}


class PgqrsError(Exception):
    """Base class of every pgqrs error.

    ``sqlstate`` is the server's SQLSTATE when the error came from a pgqrs SQL function, and
    ``detail`` and ``hint`` are the server's DETAIL and HINT fields, when it sent them.
    """

    sqlstates: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, sqlstates: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.sqlstates = sqlstates
        for code in sqlstates:
            if code in _BY_SQLSTATE:
                raise TypeError(f"SQLSTATE {code} is already mapped to {_BY_SQLSTATE[code]}")
            _BY_SQLSTATE[code] = cls

    def __init__(
        self,
        message: str,
        *,
        sqlstate: str | None = None,
        detail: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.sqlstate = sqlstate
        self.detail = detail
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} (hint: {self.hint})"


class WorkflowNotFoundError(PgqrsError, LookupError, sqlstates=("PQ001",)):
    """Raised when no workflow has the given id."""


class WorkflowBusyError(PgqrsError, sqlstates=("PQ002",)):
    """Raised when another runner holds a live lease on the workflow; nothing was run.

    ``owner`` and ``lease_expires_at`` (ISO text) name the holder, from the server's DETAIL.
    """

    @property
    def owner(self) -> str | None:
        return _detail_field(self.detail, "owner")

    @property
    def lease_expires_at(self) -> str | None:
        return _detail_field(self.detail, "lease_expires_at")


class LeaseLostError(PgqrsError, sqlstates=("PQ003",)):
    """Raised when this runner's lease was taken over: its write was refused and changed nothing.

    The runner must stop; another runner now owns the workflow.
    """


class StepFailedError(PgqrsError, sqlstates=("PQ004",)):
    """Raised when a step that failed before is reached again (a replay of its stored failure).

    ``error_type``, ``error_message`` and ``remote_traceback`` describe the original exception.
    The step is not run again.
    """

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        stored = _parse_detail(self.detail)
        self.step_key: str | None = None
        self.error_type: str | None = _str_or_none(stored.get("type"))
        self.error_message: str | None = _str_or_none(stored.get("message"))
        self.remote_traceback: str | None = _str_or_none(stored.get("traceback"))

    @classmethod
    def from_stored(cls, step_key: str, error: dict[str, Any]) -> StepFailedError:
        kind = error.get("type") or "Error"
        exc = cls(
            f"step {step_key!r} failed: {kind}: {error.get('message')}",
            sqlstate="PQ004",
            detail=json.dumps(error),
        )
        exc.step_key = step_key
        return exc


class InvalidStateError(PgqrsError, sqlstates=("PQ005",)):
    """Raised when a call does not fit the current state, such as writing to a finished workflow
    or completing a step that is already finished with another value."""


class IdempotencyConflictError(PgqrsError, sqlstates=("PQ006",)):
    """Raised when a workflow id or idempotency key is reused with a different name or input."""


class InvalidArgumentError(PgqrsError, ValueError, sqlstates=("PQ008",)):
    """Raised for an empty or oversized workflow name, step name, owner, key or lease length."""


class WorkerNotFoundError(PgqrsError, LookupError, sqlstates=("PQ009",)):
    """Raised when no worker is registered under the given name."""


class WorkflowCodeChangedError(PgqrsError, sqlstates=("PQ010",)):
    """Raised when a resumed run calls a step at a position where the recorded run called another
    one (or calls a recorded step at another position): the workflow's code changed under it.
    Nothing is run or recorded. See "Changing a deployed workflow" in docs/failures.md."""


class WorkflowCancelledError(PgqrsError, sqlstates=("PQ011",)):
    """Raised when the workflow was cancelled (``admin.cancel_workflow``) or its deadline passed:
    by the runner's next step, heartbeat or outcome, by running a CANCELLED workflow, and by
    waiting for its result. Nothing more of it runs. ``error_type`` is ``pgqrs.Cancelled`` or
    ``pgqrs.DeadlineExceeded`` and ``error_message`` the reason, when known."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        stored = _parse_detail(self.detail)
        self.workflow_id: str | None = None
        self.error_type: str | None = _str_or_none(stored.get("type"))
        self.error_message: str | None = _str_or_none(stored.get("message"))

    @classmethod
    def from_stored(cls, workflow_id: str, error: dict[str, Any]) -> WorkflowCancelledError:
        exc = cls(
            f"workflow {workflow_id} was cancelled: {error.get('message')}",
            sqlstate="PQ011",
            detail=json.dumps(error),
        )
        exc.workflow_id = workflow_id
        return exc

    @property
    def deadline_exceeded(self) -> bool:
        return self.error_type == "pgqrs.DeadlineExceeded"


class StepTimeoutError(PgqrsError, TimeoutError, sqlstates=("PQ012",)):
    """Raised when a step ran past its ``timeout``: the attempt is recorded as failed (type
    ``pgqrs.StepTimeout``, the name the SQL uses too) and retried if its policy allows."""

    stored_type: ClassVar[str] = "pgqrs.StepTimeout"


class NonRetryable(Exception):  # noqa: N818 (a marker, named like the behaviour it asks for)
    """Raise it (or an exception that subclasses it) from a step to fail the step at once,
    whatever its retry policy says."""


class InvalidValueError(PgqrsError, ValueError, sqlstates=("22P02", "22P05")):
    """Raised for a value that cannot be stored as JSON: not serializable, NaN or Infinity, or a
    string with a NUL character. A step whose result is such a value is recorded as FAILED with
    this error before it is raised."""


class PayloadTooLargeError(InvalidValueError, sqlstates=("PQ007",)):
    """Raised when a JSON value exceeds the server setting ``pgqrs.max_payload_bytes``."""


class InsufficientPrivilegeError(PgqrsError, PermissionError, sqlstates=("42501",)):
    """Raised when the caller may not do what it asked (SQLSTATE 42501): a function its role was
    not granted (docs/security.md), or ``pgqrs.fake_now`` set in a session whose login role may
    not move the pgqrs clock."""


class ValueTooDeepError(InvalidValueError, sqlstates=("PQ013",)):
    """Raised for a JSON value nested more than 256 levels deep, which the SQL refuses so that
    every client can decode every stored value (and for a stored one too deep to decode)."""


class WorkflowFailedError(PgqrsError):
    """Raised when running a workflow that already ended FAILED: its stored failure is replayed.

    ``error_type``, ``error_message`` and ``remote_traceback`` describe the original exception.
    """

    def __init__(self, workflow_id: str, error: dict[str, Any]) -> None:
        kind = error.get("type") or "Error"
        super().__init__(
            f"workflow {workflow_id} failed: {kind}: {error.get('message')}",
            detail=json.dumps(error),
        )
        self.workflow_id = workflow_id
        self.error_type: str | None = _str_or_none(error.get("type"))
        self.error_message: str | None = _str_or_none(error.get("message"))
        self.remote_traceback: str | None = _str_or_none(error.get("traceback"))


class WorkflowDeadError(WorkflowFailedError):
    """Raised when running, or waiting for, a workflow that was moved to DEAD: its runner died
    more than ``max_recoveries`` times. ``admin.revive_workflow(id)`` puts it back in the queue."""


class WaitTimeoutError(PgqrsError, TimeoutError):
    """Raised when a workflow's result did not arrive within the timeout. The workflow itself
    is not affected: it keeps running, and its result can be awaited again."""


class WorkerStopping(BaseException):
    """Raised inside a workflow run by a worker that is shutting down, instead of starting its
    next step. Like ``KeyboardInterrupt`` it is not an ``Exception``, so ``except Exception`` in
    workflow code does not swallow it. Nothing is recorded: the worker releases the lease and
    another worker resumes the workflow from this step."""


class WorkflowSuspended(BaseException):
    """Raised out of a workflow run that gave up its lease to wait: for a long retry backoff, a
    sleep, a message or a child workflow. A worker resumes the workflow in ``resume_in`` seconds
    (``inf``: when what it waits for happens); it is queued for workers. Like
    ``WorkerStopping`` it is not an ``Exception``, so ``except Exception`` in workflow code does
    not swallow it. A direct run (``await flow(ctx, x)``) sees it; wait for the outcome with
    ``admin.handle(ctx.id).result()``."""

    def __init__(self, message: str, resume_in: float) -> None:
        super().__init__(message)
        self.resume_in = resume_in


class ConnectionFailedError(PgqrsError, ConnectionError):
    """Raised by :func:`pgqrs.connect` (and ``connect_sync``) when the database cannot be
    reached: a wrong host, port, database, user or password, or a server that is down. The
    message is libpq's. Nothing is retried: a store is only made for a database it can reach."""


class SchemaError(PgqrsError):
    """Raised when the pgqrs schema is missing, foreign, or of a version this client cannot use."""


def error_class_for(sqlstate: str | None) -> type[PgqrsError] | None:
    """The pgqrs exception class for a server SQLSTATE, or None if pgqrs does not map it."""
    return _BY_SQLSTATE.get(sqlstate or "")


def registered_sqlstates() -> frozenset[str]:
    """Every SQLSTATE that maps to a pgqrs exception."""
    return frozenset(_BY_SQLSTATE)


def _parse_detail(detail: str | None) -> dict[str, Any]:
    if not detail:
        return {}
    try:
        value = json.loads(detail)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _detail_field(detail: str | None, key: str) -> str | None:
    return _str_or_none(_parse_detail(detail).get(key))


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
