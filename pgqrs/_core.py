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
from typing import Any, Literal
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
        name = (
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
    """True when the runner lost the right to write: nothing more may be recorded."""
    return isinstance(exc, (errors.LeaseLostError, errors.WorkflowBusyError))


def is_failure(exc: BaseException) -> bool:
    """True when an exception is the step's or workflow's own failure, to be recorded.

    Not a failure: the process being stopped (interruption, or a worker draining), this runner
    being fenced out, or the database being unreachable (the work resumes once it is back).
    """
    return not (
        is_interruption(exc)
        or is_fencing(exc)
        or is_transient(exc)
        or isinstance(exc, (errors.WorkerStopping, PoolClosed))
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
    """Everything about one workflow but its steps, as ``pgqrs.get_workflow`` returns it."""

    id: UUID
    name: str
    status: Literal["PENDING", "RUNNING", "SUCCESS", "FAILED", "DEAD"]
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

    @property
    def done(self) -> bool:
        """True once the workflow is SUCCESS, FAILED or DEAD."""
        return self.status in ("SUCCESS", "FAILED", "DEAD")

    def result(self) -> Any:
        """The output of a SUCCESS workflow; raises WorkflowFailedError for FAILED,
        WorkflowDeadError for DEAD, and InvalidStateError while it is not :attr:`done`."""
        if self.status not in ("SUCCESS", "FAILED", "DEAD"):
            raise errors.InvalidStateError(
                f"workflow {self.id} is {self.status}: it has no result yet"
            )
        return Outcome(self.status, self.output, self.error).result(self.id)


@dataclass(frozen=True, slots=True)
class StepInfo:
    """One recorded step, as ``pgqrs.list_steps`` returns it."""

    key: str
    status: Literal["RUNNING", "SUCCESS", "FAILED"]
    output: Any
    error: dict[str, Any] | None
    attempt: int
    lease_token: int
    started_at: datetime
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


# --- replay state ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """The final state of a workflow that was already SUCCESS or FAILED when acquired."""

    status: Literal["SUCCESS", "FAILED", "DEAD"]
    output: Any
    error: dict[str, Any] | None

    def result(self, workflow_id: UUID) -> Any:
        """The stored output, or the stored failure raised as WorkflowFailedError (or
        WorkflowDeadError for a DEAD workflow)."""
        if self.status == "SUCCESS":
            return self.output
        if self.status == "DEAD":
            raise errors.WorkflowDeadError(str(workflow_id), self.error or {})
        raise errors.WorkflowFailedError(str(workflow_id), self.error or {})


@dataclass(slots=True)
class Run:
    """One acquisition of a workflow: its fencing token and what its replay needs.

    ``finished`` caches the steps that were SUCCESS or FAILED when the workflow was acquired, so
    replaying them costs no round trip. ``counters`` gives the nth call of a step name in this run
    the key ``name``, ``name#2``, ``name#3``... deterministically. ``final`` is set when the
    workflow was already finished: no lease was granted and nothing new may run.
    """

    token: int
    input: Any
    finished: dict[str, dict[str, Any]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    final: Outcome | None = None

    def next_key(self, name: str) -> str:
        if "#" in name:
            raise errors.InvalidArgumentError(
                f"step names may not contain '#' (reserved for repeat keys): {name!r}"
            )
        n = self.counters.get(name, 0) + 1
        self.counters[name] = n
        return name if n == 1 else f"{name}#{n}"

    def replay(self, workflow_id: UUID, key: str) -> tuple[bool, Any]:
        """``(True, value)`` for a step that succeeded before, ``(False, None)`` for a step that
        must be acquired. Raises StepFailedError for a step that failed before, and
        InvalidStateError for a new step of a finished workflow."""
        stored = self.finished.get(key)
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
    final = Outcome(status, output, error) if status in ("SUCCESS", "FAILED", "DEAD") else None
    return Run(token=token, input=input_, finished=dict(steps or {}), final=final)


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
