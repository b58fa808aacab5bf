"""The admin API: install the schema; create, start, look up, cancel, resume and fork workflows;
send messages to workflows and read their events from outside any workflow; prune old ones.

``_admin_sync.py`` is generated from this file (``make gen``): edit this one, not the twin.
"""

from __future__ import annotations

import collections.abc
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar, overload
from uuid import UUID

from . import (
    _calls,
    _codec,
    _install,
    _lookup,
    _policy,
    _results,
    _retention,
    _schedules,
    _sql,
    errors,
)
from ._calls import AsyncWorkflowFn, SyncWorkflowFn
from ._handles import WorkflowHandle
from ._results import (
    UNSET,
    PruneResult,
    QueueInfo,
    QueueSettings,
    StepAttempt,
    StepInfo,
    Unset,
    WorkerInfo,
    WorkflowCount,
    WorkflowInfo,
    WorkflowSummary,
)
from ._schedules import Schedule
from ._store import Store
from ._workflow import PyWorkflow

logger = logging.getLogger("pgqrs")

P = ParamSpec("P")
R = TypeVar("R")


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
                logger.info("applying %s", path.name)
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
        """Store a new PENDING workflow and return its context, to run it here with
        ``await fn(ctx, input)`` (:meth:`run` does both in one call).

        With ``id`` or ``idempotency_key``, creating again returns the same workflow (and raises
        IdempotencyConflictError if the name or input differ). ``timeout`` (seconds from now) or
        ``deadline`` cancels the workflow if it has not finished by then. ``retries`` re-runs
        the whole workflow from its last completed step after a failure, up to that many times,
        on a worker, after a backoff of ``retry_backoff`` seconds doubling up to
        ``retry_max_backoff``. See docs/failures.md.
        """
        payload = _codec.encode(input, f"input of workflow {name!r}", self.store.codec)
        options = _policy.workflow_options(
            queued=False,
            id=id,
            idempotency_key=idempotency_key,
            timeout=timeout,
            deadline=deadline,
            retries=retries,
            retry_backoff=retry_backoff,
            retry_max_backoff=retry_max_backoff,
        )
        return await self._create(name, payload, options, id is not None or bool(idempotency_key))

    async def _create(self, name: str, payload: str, options: str, retry: bool) -> PyWorkflow:
        rows = await self.store.call(_sql.SUBMIT_WORKFLOW, (name, payload, options), retry=retry)
        return PyWorkflow(self.store, rows[0][0], name, _codec.roundtrip(payload))

    async def run(
        self,
        workflow: Callable[Concatenate[PyWorkflow, P], Awaitable[R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Create a workflow for the call ``workflow(ctx, *args, **kwargs)`` and run it here, in
        one call; return its result. Every keyword is the function's: give start options with
        :meth:`with_options` (``admin.with_options(idempotency_key="k").run(fn, ...)``)."""
        result: R = await self._run(workflow, args, kwargs, {})
        return result

    async def _run(
        self,
        workflow: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        options: dict[str, Any],
    ) -> Any:
        name = _policy.workflow_name(workflow)
        given = _calls.start_options(
            options, _calls.RUN_OPTIONS, "admin.run (the workflow runs here)"
        )
        payload = _calls.encode(workflow, name, args, kwargs, self.store.codec)
        merged = _policy.merged(workflow, given, _calls.DEFAULT_RUN_OPTIONS)
        text = _policy.workflow_options(queued=False, **merged)
        retry = "id" in merged or "idempotency_key" in merged
        ctx = await self._create(name, payload, text, retry)
        return await workflow(ctx, *args, **kwargs)

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

    @overload
    async def start_workflow(
        self, workflow: AsyncWorkflowFn[P, R], /, *args: P.args, **kwargs: P.kwargs
    ) -> WorkflowHandle[R]: ...
    @overload
    async def start_workflow(
        self, workflow: SyncWorkflowFn[P, R], /, *args: P.args, **kwargs: P.kwargs
    ) -> WorkflowHandle[R]: ...
    @overload
    async def start_workflow(
        self, workflow: str | Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> WorkflowHandle[Any]: ...
    async def start_workflow(
        self, workflow: str | Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> WorkflowHandle[Any]:
        """Enqueue the call ``workflow(ctx, *args, **kwargs)`` for workers and return a handle
        at once; ``await handle.result()`` waits for its result.

        ``workflow`` is a ``@workflow`` function or its name. The call is checked against the
        function's signature now (InvalidArgumentError, nothing stored), and again by the
        worker that starts it. A keyword that is a start option is taken as one, unless the
        function has a parameter of that name:

        - ``id``, ``idempotency_key``: starting again returns the same workflow
          (IdempotencyConflictError if the name or arguments differ);
        - ``run_at``: not before then; ``max_recoveries`` (default 5): how often it may be
          resumed after its worker died before it is moved to DEAD;
        - ``timeout`` (seconds) or ``deadline``: cancel it if it has not finished by then;
          ``retries``, ``retry_backoff``, ``retry_max_backoff``: whole-workflow retries;
        - ``queue`` (a queue name; limits with :meth:`set_queue`), ``priority`` (-1000..1000,
          higher first), ``concurrency_key`` (limited and served round-robin per key);
        - ``debounce_key`` and ``debounce`` (seconds): a start while one with the same name and
          key waits postpones that one and replaces its arguments (docs/queues.md).

        A ``@workflow(...)`` function supplies its own defaults for the timeout, retries, queue,
        priority and concurrency key. The 0.1.0 form ``start_workflow(fn_or_name, input,
        idempotency_key=...)`` means the same as before (``input=`` too). With type checkers,
        prefer :meth:`with_options`, where every keyword is the function's and the handle's
        result has the function's return type.
        """
        name = _policy.workflow_name(workflow)
        args, kwargs, options = _calls.split(workflow, args, kwargs)
        return await self._start(workflow, name, args, kwargs, options)

    async def _start(
        self,
        workflow: str | Callable[..., Any],
        name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        options: dict[str, Any],
    ) -> WorkflowHandle[Any]:
        payload = _calls.encode(workflow, name, args, kwargs, self.store.codec)
        merged = _policy.merged(workflow, options)
        rows = await self.store.call(
            _sql.SUBMIT_WORKFLOW,
            (name, payload, _policy.workflow_options(queued=True, **merged)),
            retry="id" in merged or "idempotency_key" in merged,
        )
        return WorkflowHandle(self.store, rows[0][0], returns=workflow)

    @overload
    async def start_workflows(
        self,
        workflow: AsyncWorkflowFn[..., R],
        items: Iterable[Any],
        /,
        *,
        idempotency_keys: Sequence[str | None] | None = None,
        **options: Any,
    ) -> list[WorkflowHandle[R]]: ...
    @overload
    async def start_workflows(
        self,
        workflow: SyncWorkflowFn[..., R],
        items: Iterable[Any],
        /,
        *,
        idempotency_keys: Sequence[str | None] | None = None,
        **options: Any,
    ) -> list[WorkflowHandle[R]]: ...
    @overload
    async def start_workflows(
        self,
        workflow: str,
        items: Iterable[Any],
        /,
        *,
        idempotency_keys: Sequence[str | None] | None = None,
        **options: Any,
    ) -> list[WorkflowHandle[Any]]: ...
    async def start_workflows(
        self,
        workflow: str | Callable[..., Any],
        items: Iterable[Any],
        /,
        *,
        idempotency_keys: Sequence[str | None] | None = None,
        **options: Any,
    ) -> list[WorkflowHandle[Any]]:
        """Enqueue one workflow per item in one round trip (``pgqrs.start_workflows``); return
        their handles in item order.

        An item is the workflow's one argument, or, when it is a tuple, its positional
        arguments: ``start_workflows(charge, [("alice", 5), ("bob", 7)])`` starts
        ``charge(ctx, "alice", 5)`` and ``charge(ctx, "bob", 7)``. Every item is checked against
        the signature before anything is sent. ``idempotency_keys`` (one per item, None for
        none) make each item idempotent: an item whose key names a workflow already returns
        that one. The options are those of :meth:`start_workflow` but ``id``,
        ``idempotency_key`` and the debounce ones, for every item.
        """
        name = _policy.workflow_name(workflow)
        given = _calls.start_options(options, _calls.BULK_OPTIONS, "start_workflows")
        codec = self.store.codec
        texts = []
        for n, item in enumerate(items, 1):
            args = item if isinstance(item, tuple) else (item,)
            value = _calls.stored_form(workflow, name, args, {})
            texts.append(_codec.encode(value, f"input of item {n} of workflow {name!r}", codec))
        keys = None if idempotency_keys is None else list(idempotency_keys)
        if keys is not None and len(keys) != len(texts):
            raise errors.InvalidArgumentError(
                f"{len(keys)} idempotency keys for {len(texts)} items"
            )
        if not texts:
            return []
        merged = _policy.merged(workflow, given)
        rows = await self.store.call(
            _sql.START_WORKFLOWS,
            (
                name,
                "[" + ",".join(texts) + "]",
                keys,
                _policy.workflow_options(queued=True, **merged),
            ),
            retry=keys is not None and all(key is not None for key in keys),
        )
        return [WorkflowHandle(self.store, row[1], returns=workflow) for row in rows]

    def with_options(
        self,
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
        queue: str | None = None,
        priority: int | None = None,
        concurrency_key: str | None = None,
        debounce_key: str | None = None,
        debounce: float | None = None,
    ) -> WorkflowStarter:
        """A view of this admin API whose :meth:`~WorkflowStarter.start_workflow`,
        :meth:`~WorkflowStarter.run` and :meth:`~WorkflowStarter.start_workflows` use these
        start options (see :meth:`start_workflow`); there every keyword is the workflow
        function's own, and type checkers see the function's parameters and return type::

            handle = await admin.with_options(queue="payments", idempotency_key=key).start_workflow(
                charge, customer, cents=500
            )
            receipt: Receipt = await handle.result()
        """
        given = {
            "id": id,
            "idempotency_key": idempotency_key,
            "run_at": run_at,
            "max_recoveries": max_recoveries,
            "timeout": timeout,
            "deadline": deadline,
            "retries": retries,
            "retry_backoff": retry_backoff,
            "retry_max_backoff": retry_max_backoff,
            "queue": queue,
            "priority": priority,
            "concurrency_key": concurrency_key,
            "debounce_key": debounce_key,
            "debounce": debounce,
        }
        return WorkflowStarter(
            self, {key: value for key, value in given.items() if value is not None}
        )

    def handle(self, workflow_id: UUID | str) -> WorkflowHandle[Any]:
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

    async def resume_workflow(self, workflow_id: UUID | str) -> WorkflowHandle[Any]:
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
    ) -> WorkflowHandle[Any]:
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
        self,
        *,
        status: str | None = None,
        name: str | None = None,
        limit: int = 50,
        before: WorkflowSummary | None = None,
        created_after: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> list[WorkflowSummary]:
        """The newest workflows, optionally filtered by status, name, creation time and
        idempotency key; each says which queue it is in and what holds it back (``held_by``).
        ``before`` (the last row of the previous page) gives the next page: a keyset page, as
        cheap at any depth. :meth:`iter_workflows` walks every page."""
        cursor = (None, None) if before is None else (before.created_at, before.id)
        rows = await self.store.call(
            _sql.LIST_WORKFLOWS_PAGE,
            (status, name, limit, *cursor, created_after, idempotency_key),
        )
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

    async def iter_workflows(
        self,
        *,
        status: str | None = None,
        name: str | None = None,
        created_after: datetime | None = None,
        page_size: int = 500,
    ) -> collections.abc.AsyncIterator[WorkflowSummary]:
        """Every workflow that matches, newest first, read a page of ``page_size`` at a time
        (``async for summary in admin.iter_workflows(status="FAILED"): ...``)."""
        before: WorkflowSummary | None = None
        while True:
            page = await self.list_workflows(
                status=status,
                name=name,
                limit=page_size,
                before=before,
                created_after=created_after,
            )
            for summary in page:
                yield summary
            if len(page) < page_size:
                return
            before = page[-1]

    # -- queues (docs/queues.md) ----------------------------------------------------------------

    async def set_queue(
        self,
        name: str,
        *,
        concurrency: int | Unset | None = UNSET,
        worker_concurrency: int | Unset | None = UNSET,
        rate: tuple[int, float] | str | Unset | None = UNSET,
        key_concurrency: int | Unset | None = UNSET,
        paused: bool | Unset = UNSET,
    ) -> QueueSettings:
        """Create or change the limits of queue ``name``, at run time: the next claim of every
        worker applies them. A setting left out stays as it is; None removes it (no limit).

        - ``concurrency``: at most this many of the queue's workflows run at once, across all
          workers; ``worker_concurrency``: at most this many per worker;
        - ``rate``: at most N first starts per period, across all workers: ``(100, 60)`` or
          ``"100/60s"`` (also ``"100/s"``, ``"100/m"``, ``"5/1.5h"``, ``"1000/d"``);
        - ``key_concurrency``: at most this many running per concurrency key, keys served
          round-robin;
        - ``paused``: a paused queue hands out nothing.

        Returns the queue's settings. InvalidArgumentError for a value out of its bounds."""
        settings: dict[str, Any] = {}
        for key, value in (
            ("concurrency", concurrency),
            ("worker_concurrency", worker_concurrency),
            ("key_concurrency", key_concurrency),
            ("paused", paused),
        ):
            if not isinstance(value, Unset):
                settings[key] = value
        if not isinstance(rate, Unset):
            count, period = (None, None) if rate is None else _results.parse_rate(rate)
            settings["rate_limit"] = count
            settings["rate_period_seconds"] = period
        rows = await self.store.call(_sql.SET_QUEUE, (name, json.dumps(settings)))
        return QueueSettings(*rows[0])

    async def delete_queue(self, name: str) -> bool:
        """Remove the settings of queue ``name``: its workflows stay, with no limits. False when
        it had none."""
        rows = await self.store.call(_sql.DELETE_QUEUE, (name,))
        return bool(rows[0][0])

    async def list_queues(self) -> list[QueueInfo]:
        """Every queue with settings or work: its limits, and how many workflows it holds
        queued and running now."""
        rows = await self.store.call(_sql.LIST_QUEUES)
        return [QueueInfo(*row) for row in rows]


class WorkflowStarter:
    """The admin API with start options bound: see :meth:`Admin.with_options`. Every keyword
    of its methods is the workflow function's own."""

    def __init__(self, admin: Admin, options: dict[str, Any]) -> None:
        self.admin = admin
        self.options = options

    def __repr__(self) -> str:
        return f"<WorkflowStarter {self.options!r}>"

    @overload
    async def start_workflow(
        self, workflow: AsyncWorkflowFn[P, R], /, *args: P.args, **kwargs: P.kwargs
    ) -> WorkflowHandle[R]: ...
    @overload
    async def start_workflow(
        self, workflow: SyncWorkflowFn[P, R], /, *args: P.args, **kwargs: P.kwargs
    ) -> WorkflowHandle[R]: ...
    @overload
    async def start_workflow(
        self, workflow: str, /, *args: Any, **kwargs: Any
    ) -> WorkflowHandle[Any]: ...
    async def start_workflow(
        self, workflow: str | Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> WorkflowHandle[Any]:
        """:meth:`Admin.start_workflow` with these options (a workflow given by name is not
        checked against its signature here, only by the worker)."""
        name = _policy.workflow_name(workflow)
        return await self.admin._start(workflow, name, args, kwargs, self.options)

    async def run(
        self,
        workflow: Callable[Concatenate[PyWorkflow, P], Awaitable[R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """:meth:`Admin.run` with these options (those of a workflow that runs here: ``id``,
        ``idempotency_key``, ``timeout``, ``deadline`` and the retries)."""
        result: R = await self.admin._run(workflow, args, kwargs, self.options)
        return result

    @overload
    async def start_workflows(
        self,
        workflow: AsyncWorkflowFn[..., R],
        items: Iterable[Any],
        /,
        *,
        idempotency_keys: Sequence[str | None] | None = None,
    ) -> list[WorkflowHandle[R]]: ...
    @overload
    async def start_workflows(
        self,
        workflow: SyncWorkflowFn[..., R],
        items: Iterable[Any],
        /,
        *,
        idempotency_keys: Sequence[str | None] | None = None,
    ) -> list[WorkflowHandle[R]]: ...
    async def start_workflows(
        self,
        workflow: Callable[..., Any],
        items: Iterable[Any],
        /,
        *,
        idempotency_keys: Sequence[str | None] | None = None,
    ) -> list[WorkflowHandle[Any]]:
        """:meth:`Admin.start_workflows` with these options."""
        return await self.admin.start_workflows(
            workflow, items, idempotency_keys=idempotency_keys, **self.options
        )
