"""Workers in this process: start_workflow, handles, claiming rules (the fault tests with real
processes and kills are in test_worker_faults.py)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from helpers import FAKE_CLOCK, later, running_worker, with_fake_now

import pgqrs
from pgqrs import PyWorkflow, SyncWorkflow
from pgqrs.decorators import step, workflow

ran: list[str] = []


@step
async def add_one(ctx: PyWorkflow, x: int) -> int:
    ran.append(f"add_one({x})")
    return x + 1


@workflow
async def incr(ctx: PyWorkflow, x: int) -> int:
    return await add_one(ctx, x)


@step
def times_two(ctx: SyncWorkflow, x: int) -> int:
    ran.append(f"times_two({x}) in {threading.current_thread().name}")
    return x * 2


@workflow
def double(ctx: SyncWorkflow, x: int) -> int:
    return times_two(ctx, x)


@workflow
async def broken(ctx: PyWorkflow, x: int) -> int:
    raise RuntimeError(f"no good: {x}")


@pytest.fixture(autouse=True)
def _clear() -> None:
    ran.clear()


def test_start_and_wait_for_results(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn, runner_id="w1") as store:
            admin = pgqrs.admin(store)
            async with running_worker(store, [incr, double, broken], concurrency=3):
                handles = [await admin.start_workflow(incr, i) for i in range(5)]
                handles.append(await admin.start_workflow("double", 21))
                results = [await h.result(timeout=30) for h in handles]
                assert results == [1, 2, 3, 4, 5, 42]
                failing = await admin.start_workflow(broken, 7)
                with pytest.raises(pgqrs.WorkflowFailedError, match="no good: 7"):
                    await failing.result(timeout=30)
            assert sorted(r for r in ran if r.startswith("add_one")) == [
                f"add_one({i})" for i in range(5)
            ]
            # The plain def workflow ran in the worker's thread pool, not on the event loop.
            assert [r for r in ran if r.startswith("times_two")] == [
                r for r in ran if r.startswith("times_two(21) in pgqrs-worker")
            ]
            info = await handles[0].info()
            assert info.status == "SUCCESS" and info.queued
            assert info.lease_owner is None

    asyncio.run(main())


def test_sync_handle_waits_for_a_worker(dsn: str) -> None:
    async def main() -> None:
        def wait_sync() -> Any:
            with pgqrs.connect_sync(dsn) as sync_store:
                handle = pgqrs.admin(sync_store).start_workflow(incr, 41)
                return handle.result(timeout=30)

        async with (
            await pgqrs.connect(dsn, runner_id="w1") as store,
            running_worker(store, [incr]),
        ):
            assert await asyncio.to_thread(wait_sync) == 42

    asyncio.run(main())


def test_result_times_out_without_a_worker(dsn: str) -> None:
    with pgqrs.connect_sync(dsn, poll_interval=0.05) as store:
        handle = pgqrs.admin(store).start_workflow("nobody_serves_this", 1)
        with pytest.raises(pgqrs.WaitTimeoutError):
            handle.result(timeout=0.2)
        assert handle.info().status == "PENDING"  # waiting is not failing


def test_poll_only_mode(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn, listen=False, poll_interval=0.05) as store:
            admin = pgqrs.admin(store)
            async with running_worker(store, [incr]):
                handle = await admin.start_workflow(incr, 1)
                assert await handle.result(timeout=30) == 2

    asyncio.run(main())


def test_start_is_idempotent_and_runs_once(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            a = await admin.start_workflow(incr, 5, idempotency_key="once")
            b = await admin.start_workflow(incr, 5, idempotency_key="once")
            assert a.id == b.id
            with pytest.raises(pgqrs.IdempotencyConflictError):
                await admin.start_workflow(incr, 6, idempotency_key="once")
            async with running_worker(store, [incr]):
                assert await a.result(timeout=30) == 6
            assert ran == ["add_one(5)"]

    asyncio.run(main())


def test_created_workflows_are_left_to_their_creator(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            mine = await admin.create_workflow("incr", 1)
            queued = await admin.start_workflow(incr, 2)
            async with running_worker(store, [incr]):
                assert await queued.result(timeout=30) == 3
                assert (await admin.get_workflow(mine.id)).status == "PENDING"
                # start_workflow with the id of a created workflow enqueues that one.
                again = await admin.start_workflow(incr, 1, id=mine.id)
                assert again.id == mine.id
                assert await again.result(timeout=30) == 2

    asyncio.run(main())


@FAKE_CLOCK
def test_run_at_defers_the_claim(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn, runner_id="early") as store:
            admin = pgqrs.admin(store)
            when = later(dsn, 3600)
            handle = await admin.start_workflow(incr, 9, run_at=when)
            async with running_worker(store, [incr]):
                with pytest.raises(pgqrs.WaitTimeoutError):
                    await handle.result(timeout=0.3)
                assert (await handle.info()).status == "PENDING"
            # A worker whose clock reads two hours later claims it.
            future = with_fake_now(dsn, later(dsn, 7200))
            async with (
                await pgqrs.connect(future, runner_id="late") as late_store,
                running_worker(late_store, [incr]),
            ):
                assert await handle.result(timeout=30) == 10

    asyncio.run(main())


def test_worker_rejects_non_workflows(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            with pytest.raises(TypeError, match="not a @workflow"):
                pgqrs.Worker(store, [add_one.__wrapped__])  # type: ignore[attr-defined]
            with pytest.raises(pgqrs.InvalidArgumentError, match="at least one"):
                pgqrs.Worker(store, [])

    asyncio.run(main())
