"""pgqrs: durable workflows that live inside PostgreSQL.

The durability protocol is a set of PL/pgSQL functions in schema ``pgqrs``; this package
serializes arguments, calls them, and maps their SQLSTATEs to exceptions (``pgqrs.errors``).

    store = await pgqrs.connect(dsn)
    admin = pgqrs.admin(store)
    await admin.install()
    ctx = await admin.create_workflow("data_pipeline", "http://example.com")
    result = await data_pipeline(ctx, "http://example.com")
"""

from __future__ import annotations

from typing import overload

from ._async import Admin, PyWorkflow, StepGuard, StepResult, Store, connect
from ._core import StepInfo, WorkflowInfo
from ._sync import (
    SyncAdmin,
    SyncStepGuard,
    SyncStepResult,
    SyncStore,
    SyncWorkflow,
)
from ._sync import connect as connect_sync
from .decorators import step, workflow
from .errors import (
    IdempotencyConflictError,
    InvalidArgumentError,
    InvalidStateError,
    InvalidValueError,
    LeaseLostError,
    PayloadTooLargeError,
    PgqrsError,
    SchemaError,
    StepFailedError,
    WorkflowBusyError,
    WorkflowFailedError,
    WorkflowNotFoundError,
)

__version__ = "0.1.0"

__all__ = [
    "Admin",
    "IdempotencyConflictError",
    "InvalidArgumentError",
    "InvalidStateError",
    "InvalidValueError",
    "LeaseLostError",
    "PayloadTooLargeError",
    "PgqrsError",
    "PyWorkflow",
    "SchemaError",
    "StepFailedError",
    "StepGuard",
    "StepInfo",
    "StepResult",
    "Store",
    "SyncAdmin",
    "SyncStepGuard",
    "SyncStepResult",
    "SyncStore",
    "SyncWorkflow",
    "WorkflowBusyError",
    "WorkflowFailedError",
    "WorkflowInfo",
    "WorkflowNotFoundError",
    "__version__",
    "admin",
    "connect",
    "connect_sync",
    "step",
    "workflow",
]


@overload
def admin(store: Store) -> Admin: ...
@overload
def admin(store: SyncStore) -> SyncAdmin: ...
def admin(store: Store | SyncStore) -> Admin | SyncAdmin:
    """The admin API for a store: install the schema, create and look up workflows."""
    if isinstance(store, SyncStore):
        return SyncAdmin(store)
    return Admin(store)
