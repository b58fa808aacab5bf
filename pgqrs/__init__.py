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

import logging
from typing import overload

from . import _install
from ._admin import Admin, WorkflowStarter
from ._admin_sync import SyncAdmin, SyncWorkflowStarter
from ._codec import Codec
from ._convert import TypedCodec
from ._guard import StepGuard, StepResult
from ._guard_sync import SyncStepGuard, SyncStepResult
from ._handles import ChildHandle, WorkflowHandle
from ._handles_sync import SyncChildHandle, SyncWorkflowHandle
from ._policy import RetryPolicy
from ._results import (
    PruneResult,
    QueueInfo,
    QueueSettings,
    StepAttempt,
    StepInfo,
    WorkerInfo,
    WorkflowCount,
    WorkflowInfo,
    WorkflowSummary,
)
from ._retention import Retention
from ._schedules import Cron, Schedule, tick_time
from ._store import Store, connect
from ._store_sync import SyncStore
from ._store_sync import connect as connect_sync
from ._worker import Worker
from ._workflow import PyWorkflow
from ._workflow_sync import SyncWorkflow
from .decorators import step, transaction, workflow
from .errors import (
    ConnectionFailedError,
    IdempotencyConflictError,
    InsufficientPrivilegeError,
    InvalidArgumentError,
    InvalidStateError,
    InvalidValueError,
    LeaseLostError,
    NonRetryable,
    PayloadTooLargeError,
    PgqrsError,
    SchemaError,
    StepFailedError,
    StepTimeoutError,
    ValueTooDeepError,
    WaitTimeoutError,
    WorkerNotFoundError,
    WorkerStopping,
    WorkflowBusyError,
    WorkflowCancelledError,
    WorkflowCodeChangedError,
    WorkflowDeadError,
    WorkflowFailedError,
    WorkflowNotFoundError,
    WorkflowSuspended,
)

__version__ = _install.CLIENT_VERSION

# pgqrs logs to the "pgqrs" logger and its children ("pgqrs.worker"), with the workflow id,
# name and step key as the record's workflow_id, workflow_name and step_key attributes; an
# application that configures no logging sees nothing from it.
logging.getLogger("pgqrs").addHandler(logging.NullHandler())

__all__ = [
    "Admin",
    "ChildHandle",
    "Codec",
    "ConnectionFailedError",
    "Cron",
    "IdempotencyConflictError",
    "InsufficientPrivilegeError",
    "InvalidArgumentError",
    "InvalidStateError",
    "InvalidValueError",
    "LeaseLostError",
    "NonRetryable",
    "PayloadTooLargeError",
    "PgqrsError",
    "PruneResult",
    "PyWorkflow",
    "QueueInfo",
    "QueueSettings",
    "Retention",
    "RetryPolicy",
    "Schedule",
    "SchemaError",
    "StepAttempt",
    "StepFailedError",
    "StepGuard",
    "StepInfo",
    "StepResult",
    "StepTimeoutError",
    "Store",
    "SyncAdmin",
    "SyncChildHandle",
    "SyncStepGuard",
    "SyncStepResult",
    "SyncStore",
    "SyncWorkflow",
    "SyncWorkflowHandle",
    "SyncWorkflowStarter",
    "TypedCodec",
    "ValueTooDeepError",
    "WaitTimeoutError",
    "Worker",
    "WorkerInfo",
    "WorkerNotFoundError",
    "WorkerStopping",
    "WorkflowBusyError",
    "WorkflowCancelledError",
    "WorkflowCodeChangedError",
    "WorkflowCount",
    "WorkflowDeadError",
    "WorkflowFailedError",
    "WorkflowHandle",
    "WorkflowInfo",
    "WorkflowNotFoundError",
    "WorkflowStarter",
    "WorkflowSummary",
    "WorkflowSuspended",
    "__version__",
    "admin",
    "connect",
    "connect_sync",
    "step",
    "tick_time",
    "transaction",
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
