"""One runner at a time: leases, busy errors, takeover after expiry and fencing."""

from __future__ import annotations

import asyncio
from datetime import datetime

import flows
import psycopg
import pytest
from helpers import FAKE_CLOCK, child, finish, later, poll, setup_effects, with_fake_now

import pgqrs


def test_two_processes_race_exactly_one_runs(dsn: str) -> None:
    setup_effects(dsn)
    with pgqrs.connect_sync(dsn) as store:
        ctx = pgqrs.admin(store).create_workflow("pipeline", 3)
    procs = [
        child(dsn, ctx.id, mode, "--runner", f"racer-{i}", "--gate", "race", "--n", "3")
        for i, mode in enumerate(["async", "sync"])
    ]
    # The winner holds the transform step at the gate; the loser must fail fast with busy.
    loser_code = None
    poll(lambda: any(p.poll() is not None for p in procs), what="the losing racer to exit")
    for p in procs:
        if p.poll() is not None:
            loser_code, out, err = finish(p)
            assert loser_code == 3, (out, err)
            assert "busy" in out
    flows.open_gate(dsn, "race")
    results = [finish(p) for p in procs if p.returncode is None]
    assert len(results) == 1
    code, out, err = results[0]
    assert code == 0, err
    assert '"total": 30' in out
    # Every step body ran exactly once: the loser ran nothing.
    assert flows.effects(dsn, ctx.id) == ["extract", "transform", "load"]


def test_live_lease_makes_second_runner_busy(dsn: str) -> None:
    async def main() -> None:
        async with (
            await pgqrs.connect(dsn, runner_id="a") as a,
            await pgqrs.connect(dsn, runner_id="b") as b,
        ):
            ctx_a = await pgqrs.admin(a).create_workflow("w", 1)
            assert (await ctx_a.acquire_step("s1")).status == "EXECUTE"
            ctx_b = await pgqrs.admin(b).workflow(ctx_a.id)
            with pytest.raises(pgqrs.WorkflowBusyError) as caught:
                await ctx_b.acquire_step("s1")
            assert caught.value.owner == "a"
            assert caught.value.sqlstate == "PQ002"

    asyncio.run(main())


@FAKE_CLOCK
def test_takeover_after_expiry_fences_the_stale_runner(dsn: str) -> None:
    """Runner B sees A's lease as expired (fake clock, no sleep), takes over, and A's late
    writes are refused without changing anything."""

    async def main() -> None:
        future = later(dsn, 3600)
        async with (
            await pgqrs.connect(dsn, runner_id="a", lease_seconds=30) as a,
            await pgqrs.connect(with_fake_now(dsn, future), runner_id="b") as b,
        ):
            admin = pgqrs.admin(a)
            ctx_a = await admin.create_workflow("w", 1)
            step_a = await ctx_a.acquire_step("s1")
            assert step_a.guard is not None

            ctx_b = await pgqrs.admin(b).workflow(ctx_a.id)
            step_b = await ctx_b.acquire_step("s1")  # takeover: a's lease looks expired
            assert step_b.status == "EXECUTE" and step_b.guard is not None
            info = await admin.get_workflow(ctx_a.id)
            assert info.lease_owner == "b"
            assert info.lease_token == 2

            with pytest.raises(pgqrs.LeaseLostError):
                await step_a.guard.success("from a")
            with pytest.raises(pgqrs.LeaseLostError):
                await step_a.guard.fail("from a")
            with pytest.raises(pgqrs.LeaseLostError):
                await ctx_a.heartbeat()
            # Nothing written: b's step is new, so its row comes with its outcome.
            assert await admin.list_steps(ctx_a.id) == []

            await step_b.guard.success("from b")
            steps = await admin.list_steps(ctx_a.id)
            assert [(s.key, s.status, s.output) for s in steps] == [("s1", "SUCCESS", "from b")]

    asyncio.run(main())


def test_same_runner_id_takes_over_at_once(dsn: str) -> None:
    async def main() -> None:
        async with (
            await pgqrs.connect(dsn, runner_id="worker-1") as first,
            await pgqrs.connect(dsn, runner_id="worker-1") as restarted,
        ):
            ctx = await pgqrs.admin(first).create_workflow("w", 1)
            old = await ctx.acquire_step("s1")
            assert old.guard is not None
            # The "restarted process" has the same runner id: no waiting for expiry.
            ctx2 = await pgqrs.admin(restarted).workflow(ctx.id)
            new = await ctx2.acquire_step("s1")
            assert new.status == "EXECUTE" and new.guard is not None
            with pytest.raises(pgqrs.LeaseLostError):
                await old.guard.success(1)
            await new.guard.success(2)
            assert (await ctx2.steps())[0].output == 2

    asyncio.run(main())


def test_heartbeat_extends_the_lease(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn, lease_seconds=5) as store:
            ctx = await pgqrs.admin(store).create_workflow("w", 1)
            await ctx.acquire_step("s1")
            before = (await ctx.info()).lease_expires_at
            await ctx.heartbeat()
            after = (await ctx.info()).lease_expires_at
            assert before is not None and after is not None and after > before

    asyncio.run(main())


def test_background_heartbeat_extends_the_lease_during_a_long_step(dsn: str) -> None:
    """With a 0.3 s lease the ticker beats every 0.1 s: while a step runs (and writes nothing),
    the lease expiry keeps moving forward."""

    @pgqrs.step
    async def slow(ctx: pgqrs.PyWorkflow) -> str:
        start = _expiry(dsn, ctx.id)
        moved = await asyncio.to_thread(
            poll,
            lambda: _expiry(dsn, ctx.id) > start,
            timeout=10,
            what="a heartbeat to move the lease expiry",
        )
        assert moved
        return "done"

    @pgqrs.workflow
    async def long_one(ctx: pgqrs.PyWorkflow) -> str:
        return await slow(ctx)

    async def main() -> None:
        async with await pgqrs.connect(dsn, lease_seconds=0.3) as store:
            ctx = await pgqrs.admin(store).create_workflow("long_one")
            assert await long_one(ctx) == "done"
            assert (await ctx.info()).status == "SUCCESS"

    asyncio.run(main())


def test_sync_background_heartbeat_extends_the_lease(dsn: str) -> None:
    @pgqrs.step
    def slow(ctx: pgqrs.SyncWorkflow) -> str:
        start = _expiry(dsn, ctx.id)
        poll(lambda: _expiry(dsn, ctx.id) > start, timeout=10, what="a heartbeat")
        return "done"

    @pgqrs.workflow
    def long_one(ctx: pgqrs.SyncWorkflow) -> str:
        return slow(ctx)

    with pgqrs.connect_sync(dsn, lease_seconds=0.3) as store:
        ctx = pgqrs.admin(store).create_workflow("long_one")
        assert long_one(ctx) == "done"


def _expiry(dsn: str, workflow_id: object) -> datetime:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "select lease_expires_at from pgqrs.get_workflow(%s)", (workflow_id,)
        ).fetchone()
    assert row is not None and row[0] is not None
    value: datetime = row[0]
    return value
