"""The reads of one workflow's recorded state, shared by the admin API, the handles and the run
engine (which sit below the admin API, so they cannot call it).

``_lookup_sync.py`` is generated from this file (``make gen``): edit this one, not the twin.
"""

from __future__ import annotations

from uuid import UUID

from . import _codec, _results, _sql
from ._results import FINAL_STATUSES, Outcome, StepInfo, WorkflowInfo
from ._store import Store


async def get_workflow(store: Store, workflow_id: UUID | str) -> WorkflowInfo:
    """Status, values and lease of one workflow (``pgqrs.describe_workflow``)."""
    rows = await store.call(_sql.DESCRIBE_WORKFLOW, (_codec.as_uuid(workflow_id),))
    return _results.workflow_info(rows[0])


async def outcome(store: Store, workflow_id: UUID) -> Outcome | None:
    """The outcome of a finished (or DEAD) workflow, None while it is not: read without its
    input, so that a workflow set aside because its input cannot be decoded still reports why
    (``pgqrs.describe_workflow``)."""
    rows = await store.call(_sql.WORKFLOW_OUTCOME, (workflow_id,))
    status, output, error = rows[0]
    return Outcome(status, output, error) if status in FINAL_STATUSES else None


async def list_steps(store: Store, workflow_id: UUID | str) -> list[StepInfo]:
    """The recorded steps of one workflow, in the order they started (``pgqrs.list_steps``)."""
    rows = await store.call(_sql.LIST_STEPS, (_codec.as_uuid(workflow_id),))
    return [_results.step_info(row) for row in rows]


async def why_not_finished(store: Store, workflow_id: UUID) -> str:
    """Why a workflow has not finished, for a wait that timed out: it runs, waits for something
    or a time, is not queued for workers, or no live worker serves its name."""
    rows = await store.call(_sql.WORKFLOW_STATE, (workflow_id,))
    name, status, queued, available_at, waiting_for, owner, served, now = rows[0]
    if status in FINAL_STATUSES:
        return f"it is {status} now"
    if owner is not None:
        return f"it is {status}, run by {owner}"
    if not queued:
        return (
            f"it is {status} and not queued for workers (created with create_workflow: run it"
            " with its @workflow function, or admin.run)"
        )
    if not served:
        return (
            f"no live worker serves {name!r}: start one (`pgqrs worker MODULE`, or"
            " pgqrs.Worker) for the module that defines it"
        )
    if waiting_for is not None:
        return f"it waits for {waiting_for}"
    if available_at is not None and available_at > now:
        return f"it is queued, available at {available_at.isoformat()}"
    return f"it is queued ({status}) for a worker serving {name!r}: every worker may be busy"
