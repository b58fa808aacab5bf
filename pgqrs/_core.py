"""The parts of the client that do no I/O, shared by the async and the sync API.

JSON encoding, the stored form of errors, the replay state of one run, the translation of server
errors, and the install plan. The async and sync classes only add the calls.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast
from uuid import UUID

import psycopg
from psycopg_pool import PoolClosed

from . import errors

# Text fields of a stored error are cut to this many characters, so that recording a failure can
# never itself fail on the payload limit.
MAX_ERROR_TEXT = 16_384

# A \u0000 escape in encoded JSON: preceded by an even number of backslashes (an odd number would
# mean the backslash itself is escaped and the text is a literal "\u0000").
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def encode(value: Any, what: str) -> str:
    """Serialize a value to JSON text, or raise InvalidValueError naming ``what``.

    Rejects what PostgreSQL's jsonb would reject, before anything is sent: values that are not
    JSON-serializable, NaN and Infinity, and strings that contain a NUL character.
    """
    try:
        text = json.dumps(value, allow_nan=False, separators=(",", ":"))
    except ValueError as exc:  # NaN or Infinity, or a circular reference
        raise errors.InvalidValueError(f"{what} is not valid JSON: {exc}") from exc
    except TypeError as exc:
        raise errors.InvalidValueError(f"{what} is not JSON-serializable: {exc}") from exc
    if _NUL_ESCAPE.search(text):
        raise errors.InvalidValueError(
            f"{what} contains a NUL character (\\u0000), which PostgreSQL cannot store"
        )
    return text


def as_uuid(value: UUID | str) -> UUID:
    """A workflow id as a UUID, or InvalidArgumentError for anything that is not one."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise errors.InvalidArgumentError(f"not a valid workflow id: {value!r}") from None


def roundtrip(text: str) -> Any:
    """The value a replay will see for JSON text: a step returns this on its first run too."""
    return json.loads(text)


def error_object(error: BaseException | str) -> dict[str, Any]:
    """The stored form of a failure: ``{"type", "message", "traceback"}``, text fields capped."""
    if isinstance(error, BaseException):
        kind = type(error)
        name = getattr(kind, "stored_type", None) or (
            kind.__qualname__
            if kind.__module__ == "builtins"
            else (f"{kind.__module__}.{kind.__qualname__}")
        )
        tb = "".join(traceback.format_exception(error))
        return {"type": name, "message": _cap(str(error)), "traceback": _cap(tb, tail=True)}
    return {"type": None, "message": _cap(str(error)), "traceback": None}


def error_text(error: BaseException | str) -> str:
    """:func:`error_object` as JSON text, ready to send. Never fails: every field is text."""
    return json.dumps(error_object(error))


def workflow_error_text(error: BaseException) -> str:
    """The error a failed workflow is recorded with. It carries ``"retryable": false`` when a
    whole-workflow retry cannot help (the SQL then fails the workflow for good): a
    :class:`~pgqrs.NonRetryable`, a code change, or an error of the default give-up list."""
    stored = error_object(error)
    if isinstance(
        error, (errors.NonRetryable, errors.WorkflowCodeChangedError, *DEFAULT_GIVE_UP_ON)
    ):
        stored["retryable"] = False
    return json.dumps(stored)


def _cap(text: str, *, tail: bool = False) -> str:
    text = text.replace("\x00", "\ufffd")  # PostgreSQL cannot store NUL in text
    if len(text) <= MAX_ERROR_TEXT:
        return text
    marker = "...[truncated]..."
    keep = MAX_ERROR_TEXT - len(marker)
    return marker + text[-keep:] if tail else text[:keep] + marker


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
        or is_transient(exc)
        or isinstance(exc, (errors.WorkerStopping, errors.WorkflowSuspended, PoolClosed))
    )


def workflow_name(workflow: str | Any) -> str:
    """The registered name of a ``@workflow`` function, or the name itself."""
    if isinstance(workflow, str):
        return workflow
    name = getattr(workflow, "__pgqrs_workflow__", None)
    if not isinstance(name, str):
        raise TypeError(f"{workflow!r} is not a @workflow function or a workflow name")
    return name


# --- server errors --------------------------------------------------------------------------

_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "57P01", "57P02", "57P03"})


def translate(exc: psycopg.Error) -> errors.PgqrsError | None:
    """The pgqrs exception for a server error, or None when pgqrs does not map its SQLSTATE."""
    cls = errors.error_class_for(exc.sqlstate)
    if cls is None:
        return None
    diag = exc.diag
    return cls(
        diag.message_primary or str(exc),
        sqlstate=exc.sqlstate,
        detail=diag.message_detail,
        hint=diag.message_hint,
    )


def is_transient(exc: BaseException) -> bool:
    """True for errors after which repeating an idempotent pgqrs call is safe and useful:
    a lost connection, a server restart, a serialization failure or a deadlock. A closed pool
    is not: the store was closed on purpose, and waiting cannot bring it back."""
    if not isinstance(exc, psycopg.OperationalError) or isinstance(exc, PoolClosed):
        return False
    state = exc.sqlstate
    return state is None or state.startswith("08") or state in _TRANSIENT_SQLSTATES


# --- results --------------------------------------------------------------------------------


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
    """One row of ``pgqrs.list_workflows``."""

    id: UUID
    name: str
    status: str
    lease_owner: str | None
    recoveries: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


def workflow_info(row: tuple[Any, ...]) -> WorkflowInfo:
    return WorkflowInfo(*row)


def step_info(row: tuple[Any, ...]) -> StepInfo:
    return StepInfo(*row)


def step_attempt(row: tuple[Any, ...]) -> StepAttempt:
    return StepAttempt(*row)


# --- retry policy ---------------------------------------------------------------------------

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
            raise ValueError(f"max_attempts must be between 1 and 1000, got {self.max_attempts}")
        if not 0 < self.backoff <= self.max_backoff <= 31 * 86400:
            raise ValueError(
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


def with_defaults(workflow: Any, **given: Any) -> dict[str, Any]:
    """``given``, with each None replaced by the ``@workflow(...)`` default of ``workflow``."""
    defaults: dict[str, Any] = getattr(workflow, "__pgqrs_workflow_options__", {})
    return {key: defaults.get(key) if value is None else value for key, value in given.items()}


def workflow_options(
    *,
    id: UUID | str | None = None,
    idempotency_key: str | None = None,
    queue: bool,
    run_at: datetime | None = None,
    max_recoveries: int | None = None,
    timeout: float | None = None,
    deadline: datetime | None = None,
    retries: int | None = None,
    retry_backoff: float | None = None,
    retry_max_backoff: float | None = None,
    parent_id: UUID | None = None,
) -> str:
    """The ``p_options`` JSON of ``pgqrs.submit_workflow``: only the options that were given."""
    options: dict[str, Any] = {"queue": queue}
    if parent_id is not None:
        options["parent_id"] = str(parent_id)
    if id is not None:
        options["id"] = str(as_uuid(id))
    if idempotency_key is not None:
        options["idempotency_key"] = idempotency_key
    for key, when in (("run_at", run_at), ("deadline", deadline)):
        if when is not None:
            if when.tzinfo is None:
                raise ValueError(f"{key} must be a timezone-aware datetime, got {when!r}")
            options[key] = when.isoformat()
    if max_recoveries is not None:
        options["max_recoveries"] = max_recoveries
    if timeout is not None:
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        options["timeout_seconds"] = timeout
    if retries is not None:
        options["max_attempts"] = retries + 1
    if retry_backoff is not None:
        options["retry_backoff_seconds"] = retry_backoff
    if retry_max_backoff is not None:
        options["retry_max_backoff_seconds"] = retry_max_backoff
    return json.dumps(options)


# --- replay state ---------------------------------------------------------------------------

# The longest step key the SQL accepts (pgqrs._check_text('step key', ..., 512)).
MAX_STEP_KEY = 512

# The reserved entry of a snapshot (acquire_workflow, claim_workflows) listing the steps that have
# a row but no outcome: {"#open": {"step_key": position, ...}}. No step key starts with "#".
OPEN_STEPS = "#open"

# A step that starts without begin_step (see Run.fresh) gets its RUNNING row this many seconds
# after it started, if it is still running: a short step costs one statement (record_step), and a
# long one still shows as RUNNING, with its attempt counted if its runner dies.
BEGIN_AFTER = 0.05

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


@dataclass(slots=True)
class Run:
    """One acquisition of a workflow: its fencing token and what its replay needs.

    ``finished`` caches the steps that were SUCCESS or FAILED when the workflow was acquired, so
    replaying them costs no round trip. ``counters`` gives the nth call of a step name in this run
    the key ``name``, ``name#2``, ``name#3``... deterministically, and ``position`` numbers the
    step calls of the run 1, 2, 3..., which the replay guard compares with the recorded ones.
    ``final`` is set when the workflow was already finished: no lease was granted and nothing new
    may run. ``open`` holds the steps that have a row but no outcome (RUNNING, RETRYING, WAITING),
    by key, with their positions: the snapshot's reserved entry ``"#open"``, plus every step this
    run has begun. Only a step that is in neither may start without ``begin_step`` (:meth:`fresh`).
    """

    token: int
    input: Any
    finished: dict[str, dict[str, Any]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    final: Outcome | None = None
    position: int = 0
    at_position: dict[int, str] = field(default_factory=dict)
    open: dict[str, int | None] = field(default_factory=dict)
    unplaced_open: bool = False  # an open step recorded without a position (by 0.1.0 calls)

    def __post_init__(self) -> None:
        opened = self.finished.pop(OPEN_STEPS, None) or {}
        for key, position in opened.items():
            self.open[key] = None if position is None else int(position)
            self.unplaced_open = self.unplaced_open or position is None
        for key, stored in self.finished.items():
            if stored.get("position") is not None:
                self.at_position[int(stored["position"])] = key
        for key, position in self.open.items():
            if position is not None:
                self.at_position[position] = key

    def fresh(self, key: str, position: int) -> bool:
        """True when step ``key`` at ``position`` certainly has no row yet: it is not finished,
        not open, and its position is free. Such a step can start without a round trip and be
        recorded with ``pgqrs.record_step`` once it has run. Open steps recorded without a
        position (by 0.1.0 clients) make every step go through ``begin_step``."""
        return (
            key not in self.finished
            and key not in self.open
            and position not in self.at_position
            and not self.unplaced_open
        )

    def next_step(self, name: str) -> tuple[str, int]:
        """The key and position of the next call of step ``name`` in this run."""
        if "#" in name:
            raise errors.InvalidArgumentError(
                f"step names may not contain '#' (reserved for repeat keys): {name!r}"
            )
        n = self.counters.get(name, 0) + 1
        key = name if n == 1 else f"{name}#{n}"
        # The SQL checks the same (PQ008), but a new step reaches it only with its outcome.
        if not name.strip():
            raise errors.InvalidArgumentError("a step name must not be blank", sqlstate="PQ008")
        if len(key) > MAX_STEP_KEY:
            raise errors.InvalidArgumentError(
                f"step key {key[:40]!r}... is {len(key)} characters long; the limit is"
                f" {MAX_STEP_KEY}",
                sqlstate="PQ008",
            )
        self.counters[name] = n
        self.position += 1
        return key, self.position

    def replay(self, workflow_id: UUID, key: str, position: int) -> tuple[bool, Any]:
        """``(True, value)`` for a step that succeeded before, ``(False, None)`` for a step that
        must be acquired. Raises StepFailedError for a step that failed before, InvalidStateError
        for a new step of a finished workflow, and WorkflowCodeChangedError when the recorded run
        has another step at this position or this step at another one (the same rule as
        ``pgqrs.begin_step``, applied here to the steps the snapshot holds)."""
        stored = self.finished.get(key)
        recorded = stored.get("position") if stored is not None else None
        other = self.at_position.get(position)
        if (recorded is not None and recorded != position) or (
            stored is None and other is not None and other != key
        ):
            raise errors.WorkflowCodeChangedError(
                f"workflow {workflow_id} code changed: step {key!r} is called at position "
                f"{position}, but the recorded run has "
                + (
                    f"it at position {recorded}"
                    if recorded is not None and recorded != position
                    else f"step {other!r} there"
                ),
                sqlstate="PQ010",
            )
        if stored is None:
            if self.final is not None:
                raise errors.InvalidStateError(
                    f"workflow {workflow_id} is already {self.final.status}; "
                    f"step {key!r} cannot run",
                    sqlstate="PQ005",
                )
            return False, None
        if stored["status"] == "SUCCESS":
            return True, stored["output"]
        raise errors.StepFailedError.from_stored(key, stored.get("error") or {})


def acquired(row: tuple[Any, ...]) -> Run:
    """The Run for a row of ``pgqrs.acquire_workflow``."""
    status, token, _expires, _name, input_, output, error, steps = row
    final = Outcome(status, output, error) if status in FINAL_STATUSES else None
    return Run(token=token, input=input_, finished=dict(steps or {}), final=final)


def awaited_result(workflow_id: UUID, outcome: dict[str, Any]) -> Any:
    """The result of a workflow as ``pgqrs.await_workflow`` recorded it: its output, or its
    failure raised as WorkflowFailedError, WorkflowDeadError or WorkflowCancelledError."""
    status = outcome.get("status")
    if status not in FINAL_STATUSES:
        raise errors.InvalidStateError(f"workflow {workflow_id} is {status}: it has no result")
    final = cast(Literal["SUCCESS", "FAILED", "DEAD", "CANCELLED"], status)
    return Outcome(final, outcome.get("output"), outcome.get("error")).result(workflow_id)


# --- install --------------------------------------------------------------------------------

# This client's release (pyproject.toml's version; a test keeps them equal). It needs a schema at
# least as new as the newest script it ships (Scripts.latest).
CLIENT_VERSION = "0.2.0"

_SCRIPT = re.compile(r"^pgqrs--(\d+\.\d+\.\d+)(?:--(\d+\.\d+\.\d+))?\.sql$")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def script_dir() -> Path:
    """Where the install scripts are: ``pgqrs/sql`` in a wheel, ``sql/`` in a source checkout."""
    packaged = Path(str(resources.files("pgqrs"))) / "sql"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "sql"


def version_key(version: str) -> tuple[int, ...]:
    """``'0.10.2'`` -> ``(0, 10, 2)``, for comparing release versions."""
    return _version_key(version)


def upgrade_command(installed: str, target: str, *, extension: bool) -> str:
    """What a user runs to bring a database from ``installed`` to ``target``."""
    if extension:
        return (
            f"install the pgqrs {target} extension files (`make install-extension`), then run "
            f"ALTER EXTENSION pgqrs UPDATE TO '{target}'"
        )
    return f"run `pgqrs install` (or `psql -1 -f` each sql/pgqrs--{installed}--*.sql in order)"


def check_schema_version(
    installed: str, min_client: str | None, *, client: str, required: str, extension: bool
) -> None:
    """Raise SchemaError unless a client of version ``client``, which needs at least schema
    ``required``, can use a database whose schema is ``installed``.

    A schema older than ``required`` lacks what this client calls. A newer schema serves every
    client from its ``min_client`` on (its expand-only upgrades keep old signatures), so it is
    refused only when ``min_client`` is newer than this client.
    """
    if _version_key(installed) < _version_key(required):
        raise errors.SchemaError(
            f"the database has pgqrs {installed}, older than this client needs ({required}): "
            + upgrade_command(installed, required, extension=extension)
        )
    if min_client is not None and _version_key(min_client) > _version_key(client):
        raise errors.SchemaError(
            f"the database has pgqrs {installed}, which serves clients from {min_client} on; "
            f"this client is {client}: upgrade the pgqrs package "
            f"(pip install 'pgqrs>={min_client}')"
        )


@dataclass(frozen=True, slots=True)
class Scripts:
    """The install scripts on disk: full scripts by version and upgrade deltas by (from, to)."""

    full: Mapping[str, Path]
    deltas: Mapping[tuple[str, str], Path]

    @classmethod
    def load(cls, directory: Path | None = None) -> Scripts:
        directory = directory or script_dir()
        full: dict[str, Path] = {}
        deltas: dict[tuple[str, str], Path] = {}
        for path in directory.glob("pgqrs--*.sql"):
            match = _SCRIPT.match(path.name)
            if not match:
                continue
            if match.group(2):
                deltas[(match.group(1), match.group(2))] = path
            else:
                full[match.group(1)] = path
        if not full:
            raise errors.SchemaError(f"no pgqrs install scripts found in {directory}")
        return cls(full, deltas)

    @property
    def latest(self) -> str:
        return max(self.full, key=_version_key)

    @property
    def oldest(self) -> str:
        """The first released version: where every upgrade path starts."""
        return min(self.full, key=_version_key)

    def plan(self, installed: set[str] | None, *, extension: str | None = None) -> list[Path]:
        """The scripts to run, in order, to bring a database to ``latest``.

        ``installed`` is None when the database has no pgqrs schema, else the ledger's versions.
        ``extension`` is the version of a pgqrs installed with CREATE EXTENSION: such a database
        is upgraded by ALTER EXTENSION only, never by running scripts from here.
        """
        if extension is not None:
            if _version_key(extension) > _version_key(self.latest):
                raise errors.SchemaError(
                    f"the database has the pgqrs extension {extension}, newer than this client "
                    f"supports ({self.latest}); upgrade the pgqrs package"
                )
            if extension != self.latest:
                raise errors.SchemaError(
                    f"pgqrs is installed as an extension ({extension}); this client does not "
                    "upgrade extensions: " + upgrade_command(extension, self.latest, extension=True)
                )
            return []
        if installed is None:
            return [self.full[self.latest]]
        if not installed:
            raise errors.SchemaError("schema pgqrs exists but its ledger is empty")
        current = max(installed, key=_version_key)
        if _version_key(current) > _version_key(self.latest):
            raise errors.SchemaError(
                f"the database has pgqrs {current}, newer than this client supports "
                f"({self.latest}); upgrade the pgqrs package"
            )
        steps: list[Path] = []
        while current != self.latest:
            nxt = [b for (a, b) in self.deltas if a == current]
            if not nxt:
                raise errors.SchemaError(
                    f"no upgrade script from pgqrs {current} towards {self.latest}"
                )
            target = max(nxt, key=_version_key)
            steps.append(self.deltas[(current, target)])
            current = target
        return steps
