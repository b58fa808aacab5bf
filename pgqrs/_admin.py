"""The admin API: install the schema; create, start, look up, cancel, resume and fork workflows;
send messages to workflows and read their events from outside any workflow; prune old ones.

``_admin_sync.py`` is generated from this file (``make gen``): edit this one, not the twin.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from . import _codec, _install, _lookup, _policy, _results, _retention, _schedules, _sql, errors
from ._handles import WorkflowHandle
from ._results import (
    PruneResult,
    StepAttempt,
    StepInfo,
    WorkerInfo,
    WorkflowCount,
    WorkflowInfo,
    WorkflowSummary,
)
from ._schedules import Schedule
from ._store import Store
from ._workflow import PyWorkflow

logger = logging.getLogger("pgqrs")


class Admin:
    """Installs the schema, creates workflows and looks them up. Make one with
    :func:`pgqrs.admin`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def install(self) -> list[str]:
        """Install or upgrade the pgqrs schema; return the scripts applied (none when current).

        Runs in one transaction under an advisory lock, so concurrent installers are safe: the
        first applies the scripts, the others wait for it and then find nothing to do.
        """
        scripts = _install.Scripts.load()
        async with self.store.pool.connection() as conn, conn.transaction():
            await conn.execute(_sql.INSTALL_LOCK, (_sql.INSTALL_LOCK_KEY,))
            cur = await conn.execute(_sql.INSTALL_STATE)
            row = await cur.fetchone()
            assert row is not None
            has_schema, has_ledger, extension = row
            installed: set[str] | None = None
            if has_schema and extension is None:
                if not has_ledger:
                    raise errors.SchemaError(
                        "schema pgqrs exists but has no pgqrs.ledger: it was not created by the "
                        "pgqrs install scripts"
                    )
                cur = await conn.execute(_sql.LEDGER_VERSIONS)
                installed = {version for (version,) in await cur.fetchall()}
            plan = scripts.plan(installed, extension=extension)
            for path in plan:
                logger.info("pgqrs: applying %s", path.name)
                await conn.execute(path.read_bytes())
        return [path.name for path in plan]

    async def version(self) -> str:
        """The version of the installed pgqrs SQL."""
        rows = await self.store.call(_sql.VERSION, check=False)
        return str(rows[0][0])

    async def create_workflow(
        self,
        name: str,
        input: Any = None,
        *,
        id: UUID | str | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        deadline: datetime | None = None,
        retries: int | None = None,
        retry_backoff: float | None = None,
        retry_max_backoff: float | None = None,
    ) -> PyWorkflow:
        """Store a new PENDING workflow and return its context.

        With ``id`` or ``idempotency_key``, creating again returns the same workflow (and raises
        IdempotencyConflictError if the name or input differ). ``timeout`` (seconds from now) or
        ``deadline`` cancels the workflow if it has not finished by then. ``retries`` re-runs
        the whole workflow from its last completed step after a failure, up to that many times,
        on a worker, after a backoff of ``retry_backoff`` seconds doubling up to
        ``retry_max_backoff``. See docs/failures.md.
        """
        payload = _codec.encode(input, f"input of workflow {name!r}")
        options = _policy.workflow_options(
            id=id,
            idempotency_key=idempotency_key,
            queue=False,
            timeout=timeout,
            deadline=deadline,
            retries=retries,
            retry_backoff=retry_backoff,
            retry_max_backoff=retry_max_backoff,
        )
        rows = await self.store.call(
            _sql.SUBMIT_WORKFLOW,
            (name, payload, options),
            retry=id is not None or idempotency_key is not None,
        )
        return PyWorkflow(self.store, rows[0][0], name, _codec.roundtrip(payload))

    async def workflow(self, workflow_id: UUID | str) -> PyWorkflow:
        """The context of an existing workflow, to run or resume it from any process.

        Raises WorkflowNotFoundError for an unknown id.
        """
        info = await self.get_workflow(workflow_id)
        return PyWorkflow(self.store, info.id, info.name, info.input)

    async def get_workflow(self, workflow_id: UUID | str) -> WorkflowInfo:
        """Status, values and lease of one workflow."""
        return await _lookup.get_workflow(self.store, workflow_id)

    async def list_steps(self, workflow_id: UUID | str) -> list[StepInfo]:
        """The recorded steps of one workflow, in the order they started."""
        return await _lookup.list_steps(self.store, workflow_id)

    async def list_step_attempts(self, workflow_id: UUID | str) -> list[StepAttempt]:
        """Every attempt of every step, in run order: failed ones with their error, and each
        step's current attempt, with the runner (lease owner) that made it and its times."""
        rows = await self.store.call(_sql.LIST_STEP_ATTEMPTS, (_codec.as_uuid(workflow_id),))
        return [_results.step_attempt(row) for row in rows]

    async def start_workflow(
        self,
        workflow: str | Callable[..., Any],
        input: Any = None,
        *,
        id: UUID | str | None = None,
        idempotency_key: str | None = None,
        run_at: datetime | None = None,
        max_recoveries: int | None = None,
        timeout: float | None = None,
        deadline: datetime | None = None,
        retries: int | None = None,
        retry_backoff: float | None = None,
        retry_max_backoff: float | None = None,
    ) -> WorkflowHandle:
        """Enqueue a workflow for workers and return a handle at once.

        ``workflow`` is a ``@workflow`` function or its name. A worker that serves the name runs
        it as ``fn(ctx, input)``, from ``run_at`` on (now by default). Idempotent on ``id`` and
        ``idempotency_key`` as :meth:`create_workflow` is. ``max_recoveries`` (default 5) caps
        how often the workflow may be resumed after its worker died before it is moved to DEAD.
        ``timeout``, ``deadline`` and the workflow ``retries`` are as in :meth:`create_workflow`;
        a ``@workflow(timeout=..., retries=...)`` function supplies its own defaults.
        """
        name = _policy.workflow_name(workflow)
        payload = _codec.encode(input, f"input of workflow {name!r}")
        options = _policy.workflow_options(
            id=id,
            idempotency_key=idempotency_key,
            queue=True,
            run_at=run_at,
            max_recoveries=max_recoveries,
            deadline=deadline,
            **_policy.with_defaults(
                workflow,
                timeout=timeout,
                retries=retries,
                retry_backoff=retry_backoff,
                retry_max_backoff=retry_max_backoff,
            ),
        )
        rows = await self.store.call(
            _sql.SUBMIT_WORKFLOW,
            (name, payload, options),
            retry=id is not None or idempotency_key is not None,
        )
        return WorkflowHandle(self.store, rows[0][0])

    def handle(self, workflow_id: UUID | str) -> WorkflowHandle:
        """A handle on an existing workflow, to wait for its result."""
        return WorkflowHandle(self.store, _codec.as_uuid(workflow_id))

    async def revive_workflow(self, workflow_id: UUID | str) -> None:
        """Put a DEAD workflow back in the queue with a fresh recovery budget."""
        await self.store.call(_sql.REVIVE_WORKFLOW, (_codec.as_uuid(workflow_id),))

    async def cancel_workflow(self, workflow_id: UUID | str, reason: str | None = None) -> bool:
        """Cancel a workflow that is not finished: it becomes CANCELLED, and a runner still
        running it stops at its next step or heartbeat. Returns False, changing nothing, when
        the workflow was already SUCCESS, FAILED or CANCELLED."""
        rows = await self.store.call(_sql.CANCEL_WORKFLOW, (_codec.as_uuid(workflow_id), reason))
        return bool(rows[0][0])

    async def resume_workflow(self, workflow_id: UUID | str) -> WorkflowHandle:
        """Run a FAILED, DEAD or CANCELLED workflow again on a worker, from where it stopped:
        completed steps stay completed, failed steps get a fresh attempt budget."""
        # Not repeated after a lost connection: a repeat of a resume that went through would
        # find the workflow RUNNING and raise. The caller can look at its status instead.
        await self.store.call(_sql.RESUME_WORKFLOW, (_codec.as_uuid(workflow_id),), retry=False)
        return self.handle(workflow_id)

    async def fork_workflow(
        self,
        workflow_id: UUID | str,
        from_step: str | None = None,
        *,
        new_id: UUID | str | None = None,
    ) -> WorkflowHandle:
        """Copy a workflow into a new one, queued for workers, that keeps the outcomes of the
        steps before ``from_step`` (a step key, such as ``"charge"`` or ``"charge#2"``) and runs
        that step and every later one again; ``from_step=None`` runs everything again. The
        source is left as it is. With ``new_id``, forking again returns the same fork."""
        rows = await self.store.call(
            _sql.FORK_WORKFLOW,
            (
                _codec.as_uuid(workflow_id),
                from_step,
                None if new_id is None else _codec.as_uuid(new_id),
            ),
            retry=new_id is not None,
        )
        return self.handle(rows[0][0])

    async def send(
        self,
        workflow_id: UUID | str,
        topic: str,
        message: Any = None,
        *,
        idempotency_key: str | None = None,
    ) -> int:
        """Send ``message`` to a workflow under ``topic``, from outside any workflow; it receives
        it with ``ctx.recv(topic)``, in the order sent. With ``idempotency_key``, sending again
        delivers nothing twice (and a lost connection is retried). Returns the message id."""
        payload = _codec.encode(message, f"message on topic {topic!r}")
        rows = await self.store.call(
            _sql.SEND_MESSAGE,
            (_codec.as_uuid(workflow_id), topic, payload, idempotency_key),
            retry=idempotency_key is not None,
        )
        return int(rows[0][0])

    async def get_event(
        self, workflow_id: UUID | str, key: str, timeout: float | None = None
    ) -> Any:
        """The value a workflow published under event ``key`` (``ctx.set_event``), waiting up
        to ``timeout`` seconds for it to be set (None: as long as it takes). Raises
        WaitTimeoutError when it is not set in time. Woken by NOTIFY pgqrs_event on the store's
        shared LISTEN connection, with a backstop check every ``poll_interval`` seconds (the
        only one with ``listen=False``)."""
        target = _codec.as_uuid(workflow_id)
        deadline = None if timeout is None else time.monotonic() + timeout

        async def read() -> tuple[bool, Any]:
            found, value = (await self.store.call(_sql.GET_EVENT, (target, key)))[0]
            return bool(found), value

        def wait_time() -> float:
            if deadline is None:
                return self.store.poll_interval
            left = deadline - time.monotonic()
            if left <= 0:
                raise errors.WaitTimeoutError(f"event {key!r} of workflow {target} was not set")
            return min(left, self.store.poll_interval)

        async with self.store.listener.subscribe(
            "pgqrs_event", await self.store.tag(f"event:{target} {key}")
        ) as sub:
            while True:
                found, value = await read()  # subscribed first: no update slips in between
                if found:
                    return value
                await sub.wait(wait_time())

    async def list_workers(self) -> list[WorkerInfo]:
        """Registered workers: alive or not, and what each is running."""
        rows = await self.store.call(_sql.LIST_WORKERS)
        return [WorkerInfo(*row) for row in rows]

    async def workflow_counts(self) -> list[WorkflowCount]:
        """Workflows by name and status, and whether a live worker serves each name."""
        rows = await self.store.call(_sql.WORKFLOW_COUNTS)
        return [WorkflowCount(*row) for row in rows]

    async def list_workflows(
        self, *, status: str | None = None, name: str | None = None, limit: int = 50
    ) -> list[WorkflowSummary]:
        """The newest workflows, optionally filtered by status and name."""
        rows = await self.store.call(_sql.LIST_WORKFLOWS, (status, name, limit))
        return [WorkflowSummary(*row) for row in rows]

    async def prune(
        self,
        older_than: timedelta | float,
        *,
        limit: int = 1000,
        include_dead: bool = False,
    ) -> PruneResult:
        """One batch of retention (``pgqrs.prune``): delete up to ``limit`` finished workflow
        trees whose every member finished more than ``older_than`` ago (a timedelta, or
        seconds; at least 1 minute), with their steps, attempts, messages and events, and up to
        ``limit`` messages consumed that long ago. DEAD workflows go only with
        ``include_dead``. Returns what it deleted: call again while ``more`` is true. ``busy``
        means another session is pruning this database right now, and nothing was done.

        Workers prune by themselves with ``retention=`` (docs/retention.md); ``pgqrs prune``
        loops over batches with progress.
        """
        query, params = _retention.prune_call(_retention.window(older_than), limit, include_dead)
        return _results.prune_result((await self.store.call(query, params))[0])

    # -- schedules (docs/schedules.md) ---------------------------------------------------------

    async def set_schedule(
        self,
        name: str,
        workflow: str | Callable[..., Any],
        cron: str,
        *,
        timezone: str = "UTC",
        input: Any = None,
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
    ) -> Schedule:
        """Create or replace schedule ``name``: ``workflow`` (a ``@workflow`` function or its
        name) is started at every tick of ``cron`` (five fields, or a macro such as
        ``"@daily"``) in ``timezone`` (an IANA name), with input ``{"schedule": name,
        "scheduled_at": <tick>, "input": input}``, once per tick whatever the number of
        workers. Idempotent: the same call again changes nothing.

        ``missed="catch_up"`` fires up to ``catch_up_limit`` (default 10) ticks that passed while
        no worker claimed, oldest first; by default (``"skip"``) only the latest. ``paused``
        (None: a new schedule runs, an existing one keeps its state). The other options are
        those each tick's workflow is started with, as in :meth:`start_workflow`; a
        ``@workflow(timeout=..., retries=...)`` function supplies its own defaults. Raises
        InvalidArgumentError naming what is wrong (a cron field, an unknown time zone, ...).
        """
        options = _schedules.schedule_options(
            workflow,
            missed=missed,
            catch_up_limit=catch_up_limit,
            paused=paused,
            queue=queue,
            priority=priority,
            max_recoveries=max_recoveries,
            timeout=timeout,
            retries=retries,
            retry_backoff=retry_backoff,
            retry_max_backoff=retry_max_backoff,
        )
        params = _schedules.set_schedule_params(
            name, _policy.workflow_name(workflow), cron, timezone, input, options
        )
        rows = await self.store.call(_sql.SET_SCHEDULE, params)
        return _schedules.schedule(rows[0])

    async def pause_schedule(self, name: str) -> bool:
        """Pause a schedule: it fires nothing until resumed (a worker that starts and sets it
        again leaves it paused). False when there is no such schedule."""
        return bool((await self.store.call(_sql.PAUSE_SCHEDULE, (name,)))[0][0])

    async def resume_schedule(self, name: str) -> bool:
        """Resume a paused schedule from its next tick after now (the ticks that passed while it
        was paused do not fire). False when there is no such schedule."""
        return bool((await self.store.call(_sql.RESUME_SCHEDULE, (name,)))[0][0])

    async def delete_schedule(self, name: str) -> bool:
        """Delete a schedule; the workflows it started stay. False when there was none."""
        return bool((await self.store.call(_sql.DELETE_SCHEDULE, (name,)))[0][0])

    async def list_schedules(self) -> list[Schedule]:
        """Every schedule by name, with its next tick and the last one it fired."""
        rows = await self.store.call(_sql.LIST_SCHEDULES)
        return [_schedules.schedule(row) for row in rows]
