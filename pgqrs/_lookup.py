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
