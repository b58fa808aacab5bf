"""The replay state of one run of a workflow: its fencing token, the snapshot of its finished
and open steps, and the keys and positions of its step calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from . import errors
from ._results import FINAL_STATUSES, Outcome

# The longest step key the SQL accepts (pgqrs._check_text('step key', ..., 512)).
MAX_STEP_KEY = 512

# The reserved entry of a snapshot (acquire_workflow, claim_workflows) listing the steps that have
# a row but no outcome: {"#open": {"step_key": position, ...}}. No step key starts with "#".
OPEN_STEPS = "#open"

# The reserved entry of a snapshot that left steps out (it stops at a size): {"#more": true}.
# Then a step missing from it may still have a row, and only begin_step can tell.
MORE_STEPS = "#more"


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
    run has begun. Only a step that is in neither may start without ``begin_step`` (:meth:`fresh`),
    and none may when the snapshot is ``partial`` (``"#more"``). ``named`` holds the keys the
    low-level API acquired by exact name in this run, with their positions (:meth:`named_step`).
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
    partial: bool = False  # the snapshot left finished steps out ("#more")
    named: dict[str, int] = field(default_factory=dict)
    name: str | None = None  # the workflow's stored name (when acquired)

    def __post_init__(self) -> None:
        self.partial = bool(self.finished.pop(MORE_STEPS, False))
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
        position (by 0.1.0 clients), or a partial snapshot, make every step go through
        ``begin_step``."""
        return (
            key not in self.finished
            and key not in self.open
            and position not in self.at_position
            and not self.unplaced_open
            and not self.partial
        )

    def next_step(self, name: str) -> tuple[str, int]:
        """The key and position of the next call of step ``name`` in this run: the decorators'
        rule, where the nth call of a name is the step ``name#n``."""
        n = self.counters.get(name, 0) + 1
        key = _check_key(name, name if n == 1 else f"{name}#{n}")
        self.counters[name] = n
        self.position += 1
        return key, self.position

    def named_step(self, name: str) -> tuple[str, int]:
        """The key and position of step ``name`` called by its exact name (the seed's low-level
        ``acquire_step``): the name is the step, however often it is acquired. A name this run
        acquired before, or one the snapshot recorded, keeps its position; a new one takes the
        next position."""
        key = _check_key(name, name)
        position = self.named.get(key)
        if position is None:
            stored = self.finished.get(key)
            recorded = stored.get("position") if stored is not None else self.open.get(key)
            if recorded is None:
                self.position += 1
                recorded = self.position
            position = self.named[key] = int(recorded)
        return key, position

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
    status, token, _expires, name, input_, output, error, steps = row
    final = Outcome(status, output, error) if status in FINAL_STATUSES else None
    return Run(token=token, input=input_, finished=dict(steps or {}), final=final, name=name)


def _check_key(name: str, key: str) -> str:
    """``key`` for step ``name``, or InvalidArgumentError: the SQL checks the same (PQ008), but a
    new step reaches it only with its outcome."""
    if "#" in name:
        raise errors.InvalidArgumentError(
            f"step names may not contain '#' (reserved for repeat keys): {name!r}"
        )
    if not name.strip():
        raise errors.InvalidArgumentError("a step name must not be blank", sqlstate="PQ008")
    if "\x00" in name:
        raise errors.InvalidArgumentError(
            f"a step name may not contain a NUL character (\\x00), which PostgreSQL cannot"
            f" store: {name!r}",
            sqlstate="PQ008",
        )
    if len(key) > MAX_STEP_KEY:
        raise errors.InvalidArgumentError(
            f"step key {key[:40]!r}... is {len(key)} characters long; the limit is {MAX_STEP_KEY}",
            sqlstate="PQ008",
        )
    return key
