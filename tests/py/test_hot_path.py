"""The one-statement step: a new step runs without a round trip before it and is recorded with
its result (pgqrs.record_step); a long one is marked RUNNING in the background; a step's record
rides with the run's next write; a worker's claim rides with the outcome that frees its slot.

Which writes share a transaction is checked on the server, with the rows' xmin (the id of the
transaction that wrote them), not with timings."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections import Counter
from typing import Any

import psycopg
import pytest
from helpers import later, until_running, with_fake_now

import pgqrs
from pgqrs import PyWorkflow, SyncWorkflow
from pgqrs.decorators import step, workflow

ran: Counter[str] = Counter()
release: dict[str, asyncio.Event] = {}


# pgqrs's own delay before a running step gets its RUNNING mark (50 ms).
BEGIN_AFTER = pgqrs._guard.BEGIN_AFTER


@pytest.fixture(autouse=True)
def _reset(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests here say which writes a step makes, so they choose whether it gets its RUNNING
    mark: by default never (a short step that a loaded machine paused for 50 ms would get one);
    a test that wants it sets BEGIN_AFTER back."""
    ran.clear()
    release.clear()
    begin_after(monkeypatch, 3600.0)


def begin_after(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    monkeypatch.setattr(pgqrs._guard, "BEGIN_AFTER", seconds)
    monkeypatch.setattr(pgqrs._guard_sync, "BEGIN_AFTER", seconds)


@step
async def short(ctx: PyWorkflow, i: int) -> dict[str, Any]:
    ran["short"] += 1
    return {"i": i}


@step
async def held(ctx: PyWorkflow, name: str) -> str:
    ran[name] += 1
    await release[name].wait()
    return f"{name} done"


@step
async def broken(ctx: PyWorkflow) -> None:
    ran["broken"] += 1
    raise ValueError("no stock")


@workflow
async def three_short(ctx: PyWorkflow, n: int) -> int:
    for i in range(n):
        await short(ctx, i)
    return n


@workflow
async def one_held(ctx: PyWorkflow, name: str) -> str:
    return await held(ctx, name)


@step(name="short")
def short_sync(ctx: SyncWorkflow, i: int) -> dict[str, Any]:
    ran["short"] += 1
    return {"i": i}


@workflow(name="three_short")
def three_short_sync(ctx: SyncWorkflow, n: int) -> int:
    for i in range(n):
        short_sync(ctx, i)
    return n


def rows(dsn: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def steps_of(dsn: str, workflow_id: Any) -> list[tuple[str, str, int, int | None, str]]:
    """(key, status, attempt, position, xmin) of each step, by position."""
    return [
        (str(k), str(s), int(a), p, str(x))
        for k, s, a, p, x in rows(
            dsn,
            "select step_key, status, attempt, position, xmin::text from pgqrs.steps"
            " where workflow_id = %s order by position",
            workflow_id,
        )
    ]


def workflow_xmin(dsn: str, workflow_id: Any) -> str:
    return str(rows(dsn, "select xmin::text from pgqrs.workflows where id = %s", workflow_id)[0][0])


def test_new_steps_get_their_rows_with_their_results(dsn: str) -> None:
    """No RUNNING row for a short step; each is SUCCESS, attempt 1, at its position. The last
    one is recorded in the transaction that completes the workflow."""

    async def main() -> Any:
        async with await pgqrs.connect(dsn) as store:
            ctx = await pgqrs.admin(store).create_workflow("three_short", 3)
            assert await three_short(ctx, 3) == 3
            return ctx.id

    workflow_id = asyncio.run(main())
    steps = steps_of(dsn, workflow_id)
    assert [s[:4] for s in steps] == [
        ("short", "SUCCESS", 1, 1),
        ("short#2", "SUCCESS", 1, 2),
        ("short#3", "SUCCESS", 1, 3),
    ]
    assert steps[2][4] == workflow_xmin(dsn, workflow_id)  # one commit for both
    assert steps[1][4] != steps[2][4]  # an earlier step was durable before the next one ran
    assert ran["short"] == 3
    assert rows(dsn, "select count(*) from pgqrs.step_attempts") == [(0,)]


def test_the_same_for_sync_workflows(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        ctx = pgqrs.admin(store).create_workflow("three_short", 2)
        assert three_short_sync(ctx, 2) == 2
    steps = steps_of(dsn, ctx.id)
    assert [s[:4] for s in steps] == [("short", "SUCCESS", 1, 1), ("short#2", "SUCCESS", 1, 2)]
    assert steps[1][4] == workflow_xmin(dsn, ctx.id)


def test_a_long_step_is_marked_running_then_completed(
    dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    begin_after(monkeypatch, BEGIN_AFTER)

    async def main() -> None:
        release["slow"] = asyncio.Event()
        async with await pgqrs.connect(dsn) as store:
            ctx = await pgqrs.admin(store).create_workflow("one_held", "slow")
            run = asyncio.create_task(one_held(ctx, "slow"))
            await until_running(dsn, ctx.id, "held")
            release["slow"].set()
            assert await run == "slow done"
            assert [s[:4] for s in steps_of(dsn, ctx.id)] == [("held", "SUCCESS", 1, 1)]

    asyncio.run(main())


def test_a_failed_new_step_is_begun_then_recorded_failed(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("w", None)
            s = await ctx.acquire_step("first")
            assert s.guard is not None
            await s.guard.success(1)
            s = await ctx.acquire_step("second")
            assert s.guard is not None
            await s.guard.fail("no stock")
            steps = await admin.list_steps(ctx.id)
            assert [(x.key, x.status, x.attempt) for x in steps] == [
                ("first", "SUCCESS", 1),
                ("second", "FAILED", 1),
            ]
            attempts = await admin.list_step_attempts(ctx.id)
            assert [(a.key, a.attempt, a.status) for a in attempts] == [
                ("first", 1, "SUCCESS"),
                ("second", 1, "FAILED"),
            ]

    asyncio.run(main())


def test_a_step_name_the_sql_would_refuse_is_refused_before_it_runs(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            ctx = await pgqrs.admin(store).create_workflow("w", None)
            for name in ("", "   ", "k" * 513):
                with pytest.raises(pgqrs.InvalidArgumentError) as caught:
                    await ctx.acquire_step(name)
                assert caught.value.sqlstate == "PQ008"
            s = await ctx.acquire_step("k" * 512)  # the longest key that fits
            assert s.guard is not None
            await s.guard.success(None)

    asyncio.run(main())


@pytest.mark.parametrize("begun", [False, True], ids=["deferred", "begun"])
def test_a_fenced_runner_records_nothing(
    dsn: str, begun: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runner a's step finished, but b took the workflow over before a's outcome reached the
    server: a's record is refused, and a sees LeaseLostError. Either a's step had no row yet
    (its record rides with the workflow's completion: nothing is written at all), or it ran
    long enough to get its RUNNING mark while a still held the lease (the row stays RUNNING,
    with no output). Which of the two is chosen here, not left to the timing of the run."""
    future = later(dsn, 3600)
    # deferred: the RUNNING mark never comes; begun: it comes at once, and the step waits for it
    begin_after(monkeypatch, 0.0 if begun else 3600.0)

    async def main() -> Any:
        async with (
            await pgqrs.connect(dsn, runner_id="a", lease_seconds=30) as a,
            await pgqrs.connect(with_fake_now(dsn, future), runner_id="b") as b,
        ):

            @step(name="taken_over")
            async def taken_over(ctx: PyWorkflow) -> str:
                ran["taken_over"] += 1
                if begun:
                    await until_running(dsn, ctx.id, "taken_over")
                ctx_b = await pgqrs.admin(b).workflow(ctx.id)  # b sees a's lease as expired ...
                assert (await ctx_b.acquire_step("other")).status == "EXECUTE"  # ... takes over
                return "from a"

            @workflow(name="fenced")
            async def fenced(ctx: PyWorkflow) -> str:
                return await taken_over(ctx)

            ctx = await pgqrs.admin(a).create_workflow("fenced", None)
            with pytest.raises(pgqrs.LeaseLostError):
                await fenced(ctx)
            return ctx.id

    workflow_id = asyncio.run(main())
    assert ran["taken_over"] == 1
    stored = [(k, s, n, p) for k, s, n, p, _xmin in steps_of(dsn, workflow_id)]
    # b recorded nothing ("other" has no row); a wrote at most its RUNNING mark, as owner
    assert stored == ([("taken_over", "RUNNING", 1, 1)] if begun else [])
    output = rows(dsn, "select output from pgqrs.steps where workflow_id = %s", workflow_id)
    assert output == ([(None,)] if begun else [])
    info = rows(dsn, "select status, lease_owner from pgqrs.workflows where id = %s", workflow_id)
    assert info == [("RUNNING", "b")]


def test_the_outcome_carries_the_claim_for_the_slot_it_frees(dsn: str) -> None:
    """A worker at concurrency 1 sends the claim for the next workflow with the outcome of the
    one that ends, in one round trip and one transaction (a pipeline without a Sync in
    between: see test_new_steps_get_their_rows_with_their_results for the shared xmin)."""
    batches: list[list[str]] = []

    async def main() -> None:
        async with await pgqrs.connect(dsn, runner_id="w1") as store:
            call_many = store.call_many

            async def recording(statements: Any, **kwargs: Any) -> Any:
                batches.append([q.split("pgqrs.")[1].split("(")[0] for q, _ in statements])
                return await call_many(statements, **kwargs)

            store.call_many = recording  # type: ignore[method-assign]
            admin = pgqrs.admin(store)
            handles = [await admin.start_workflow(three_short, 1) for _ in range(3)]
            worker = pgqrs.Worker(store, [three_short], concurrency=1)
            task = asyncio.create_task(worker.run())
            try:
                for handle in handles:
                    assert await handle.result(timeout=30) == 1
            finally:
                worker.stop()
                await asyncio.wait_for(task, 30)

    asyncio.run(main())
    outcomes = [b for b in batches if "complete_workflow" in b]
    assert len(outcomes) == 3
    assert all(b[:2] == ["record_step", "complete_workflow"] for b in outcomes)
    # The first two completions claimed the next workflow; the last may have claimed nothing.
    assert [b[2:] for b in outcomes[:2]] == [["claim"], ["claim"]]
    assert ran["short"] == 3


def test_concurrent_records_on_one_workflow_do_not_deadlock(dsn: str) -> None:
    """record_step keeps the workflow row FOR SHARE, never upgrading it: 8 sessions completing
    begun steps of one workflow at once all succeed (an upgrade to a row update deadlocked)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        workflow_id = conn.execute(
            "select workflow_id from pgqrs.create_workflow('w', '{}'::jsonb)"
        ).fetchone()[0]  # type: ignore[index]
        token = conn.execute(
            "select token from pgqrs.acquire_workflow(%s, 'me', 30)", (workflow_id,)
        ).fetchone()[0]  # type: ignore[index]
        for i in range(1, 9):
            conn.execute(
                "select pgqrs.begin_step(%s, %s, %s, %s)", (workflow_id, f"s{i}", token, i)
            )
    start = threading.Barrier(8)

    def record(i: int) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            start.wait(10)
            for _ in range(2):  # the step, then a repeat of the call: both are no-deadlock
                conn.execute(
                    "select pgqrs.record_step(%s, %s, %s, %s, %s::jsonb)",
                    (workflow_id, f"s{i}", token, i, '"done"'),
                )

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for future in [pool.submit(record, i) for i in range(1, 9)]:
            future.result(timeout=60)  # raises DeadlockDetected if there was one
    assert [s[1:3] for s in steps_of(dsn, workflow_id)] == [("SUCCESS", 1)] * 8


TRICKY = {"s": "quote ' double \" backslash \\ \\n newline \n tab \t é 😀 $$ -- ; %s %%", "n": -0.5}


@step
async def tricky(ctx: PyWorkflow) -> dict[str, Any]:
    return TRICKY


@workflow
async def tricky_wf(ctx: PyWorkflow) -> dict[str, Any]:
    return await tricky(ctx)


def test_a_batch_stores_values_exactly(dsn: str) -> None:
    """The step record and the outcome go as one batch with values bound in the client:
    quotes, backslashes, dollar signs, semicolons and percent signs arrive unchanged."""

    async def main() -> Any:
        async with await pgqrs.connect(dsn) as store:
            ctx = await pgqrs.admin(store).create_workflow("tricky_wf", None)
            assert await tricky_wf(ctx) == TRICKY
            return ctx.id

    workflow_id = asyncio.run(main())
    assert rows(dsn, "select output from pgqrs.steps where workflow_id = %s", workflow_id) == [
        (TRICKY,)
    ]
    assert rows(dsn, "select output from pgqrs.workflows where id = %s", workflow_id) == [(TRICKY,)]
