"""Schedules: workflows started at the ticks of a cron expression (docs/schedules.md).

Every decision is the SQL's (``sql/src/14_schedules.sql``): parsing the expression, the next tick
in the schedule's time zone, and firing each tick exactly once, inside the claims workers make
anyway. This module holds what the client needs around that: :class:`Cron`, the schedule a
``@workflow(schedule=...)`` function declares; :class:`Schedule`, a schedule as
``pgqrs.list_schedules`` shows it; the ``p_options`` JSON of ``pgqrs.set_schedule``; and the
calls a worker makes when it starts, which register the schedules of the workflows it serves.

The workflow of a tick receives ``{"schedule": name, "scheduled_at": "YYYY-MM-DDTHH:MM:SSZ",
"input": <the schedule's input>}`` as its input; :func:`tick_time` reads the tick's time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, LiteralString
from uuid import UUID

from . import _codec, _policy, _sql, errors

MISSED = ("skip", "catch_up")


@dataclass(frozen=True, slots=True)
class Cron:
    """The schedule of a ``@workflow(schedule=Cron(...))`` function, for what a plain cron
    string cannot say. A worker that serves the function sets it (``pgqrs.set_schedule``) when
    it starts; the same settings from many workers change nothing.

    ``expr`` is a five-field cron expression (``"*/5 * * * *"``) or a macro (``"@daily"``),
    read in ``timezone`` (an IANA name). ``name`` names the schedule (default: the workflow's
    name). Each tick's workflow gets ``input`` inside its tick input. ``missed`` says what
    happens to ticks that pass while no worker claims: ``"skip"`` fires only the latest,
    ``"catch_up"`` the latest ``catch_up_limit`` (default 10), oldest first. ``queue`` and
    ``priority`` are those of each tick's workflow.
    """

    expr: str
    timezone: str = "UTC"
    name: str | None = None
    input: Any = None
    missed: Literal["skip", "catch_up"] = "skip"
    catch_up_limit: int | None = None
    queue: str | None = None
    priority: int | None = None

    def __post_init__(self) -> None:
        for what, value in (("cron expression", self.expr), ("time zone", self.timezone)):
            if not isinstance(value, str) or not value.strip():
                raise errors.InvalidArgumentError(f"{what} must be a non-empty string: {value!r}")
        _check_missed(self.missed, self.catch_up_limit)


@dataclass(frozen=True, slots=True)
class Schedule:
    """One schedule, as ``pgqrs.list_schedules`` shows it.

    ``options`` are the start options of each tick's workflow (``queue``, ``priority``, ...).
    ``last_run_at`` is the latest tick fired, ``last_workflow_id`` and ``last_status`` its
    workflow (None once pruned); ``last_error`` says why the last firing could not start a
    tick's workflow (None when it could).
    """

    name: str
    workflow: str
    cron: str
    timezone: str
    input: Any
    options: dict[str, Any]
    paused: bool
    missed: Literal["skip", "catch_up"]
    catch_up_limit: int | None
    next_run_at: datetime | None
    last_run_at: datetime | None
    last_workflow_id: UUID | None
    last_status: str | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


def schedule(row: tuple[Any, ...]) -> Schedule:
    """A row of ``pgqrs.list_schedules`` (or ``set_schedule``) as a :class:`Schedule`."""
    return Schedule(*row)


def tick_time(tick_input: Mapping[str, Any]) -> datetime:
    """The time of the tick a scheduled workflow was started for, from its input (the
    ``scheduled_at`` of ``{"schedule", "scheduled_at", "input"}``), as an aware datetime."""
    try:
        return datetime.fromisoformat(str(tick_input["scheduled_at"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise errors.InvalidArgumentError(
            f"not the input of a scheduled workflow (no scheduled_at): {tick_input!r}"
        ) from exc


def _check_missed(missed: str, catch_up_limit: int | None) -> None:
    if missed not in MISSED:
        raise errors.InvalidArgumentError(f"missed must be 'skip' or 'catch_up', got {missed!r}")
    if catch_up_limit is not None and missed != "catch_up":
        raise errors.InvalidArgumentError("catch_up_limit needs missed='catch_up'")


def schedule_options(
    workflow: Any,
    *,
    missed: str | None = None,
    catch_up_limit: int | None = None,
    paused: bool | None = None,
    queue: str | None = None,
    priority: int | None = None,
    max_recoveries: int | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    retry_backoff: float | None = None,
    retry_max_backoff: float | None = None,
) -> str:
    """The ``p_options`` JSON of ``pgqrs.set_schedule``: only the options given, with a
    ``@workflow(timeout=..., retries=...)`` function's defaults for its start options."""
    if missed is not None:
        _check_missed(missed, catch_up_limit)
    elif catch_up_limit is not None:
        raise errors.InvalidArgumentError("catch_up_limit needs missed='catch_up'")
    given = _policy.with_defaults(
        workflow,
        timeout=timeout,
        retries=retries,
        retry_backoff=retry_backoff,
        retry_max_backoff=retry_max_backoff,
        queue=queue,
        priority=priority,
    )
    queue, priority = given.pop("queue"), given.pop("priority")
    start = json.loads(
        _policy.workflow_options(queued=True, max_recoveries=max_recoveries, **given)
    )
    # Each tick's workflow is started by a claim, not by this caller: no queue flag, no trace.
    options: dict[str, Any] = {
        key: value for key, value in start.items() if key not in ("queue", "traceparent")
    }
    for key, value in (
        ("missed", missed),
        ("catch_up_limit", catch_up_limit),
        ("paused", paused),
        ("queue", queue),
        ("priority", priority),
    ):
        if value is not None:
            options[key] = value
    return json.dumps(options)


def set_schedule_params(
    name: str, workflow: str, cron: str, timezone: str, input: Any, options: str
) -> tuple[Any, ...]:
    """The parameters of ``_sql.SET_SCHEDULE``."""
    payload = _codec.encode(input, f"input of schedule {name!r}")
    return (name, workflow, cron, timezone, payload, options)


def registrations(
    workflows: Mapping[str, Any],
) -> list[tuple[LiteralString, tuple[Any, ...]]]:
    """The ``set_schedule`` calls of the ``@workflow(schedule=...)`` functions among
    ``workflows`` (by registered name): what a worker sends when it starts."""
    calls: list[tuple[LiteralString, tuple[Any, ...]]] = []
    for name, fn in sorted(workflows.items()):
        spec: Cron | None = getattr(fn, "__pgqrs_schedule__", None)
        if spec is None:
            continue
        options = schedule_options(
            fn,
            missed=spec.missed,
            catch_up_limit=spec.catch_up_limit,
            queue=spec.queue,
            priority=spec.priority,
        )
        params = set_schedule_params(
            spec.name or name, name, spec.expr, spec.timezone, spec.input, options
        )
        calls.append((_sql.SET_SCHEDULE, params))
    return calls


def declared(schedule: str | Cron | None, timezone: str | None) -> Cron | None:
    """The :class:`Cron` of ``@workflow(schedule=..., timezone=...)``, checked."""
    if schedule is None:
        if timezone is not None:
            raise errors.InvalidArgumentError("timezone is for a workflow with a schedule")
        return None
    if isinstance(schedule, Cron):
        if timezone is not None:
            raise errors.InvalidArgumentError(
                "give the time zone in Cron(..., timezone=...), not next to it"
            )
        return schedule
    if not isinstance(schedule, str):
        raise errors.InvalidArgumentError(
            f"schedule must be a cron expression or a pgqrs.Cron, got {schedule!r}"
        )
    return Cron(schedule, timezone or "UTC")
