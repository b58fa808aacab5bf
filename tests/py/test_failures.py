"""Failure control end to end, with real workers in this process (docs/failures.md).

Retries with backoff decided in SQL, a long backoff that frees the worker, non-retryable errors,
workflow retries, resume, fork, cancel, deadlines, step timeouts and the replay guard. Time that
must pass for a backoff or a deadline is moved with the pgqrs fake clock (a worker whose DSN sets
pgqrs.fake_now), never slept; the only real waits are the product's own retry delays of a few
milliseconds and polls with a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from helpers import later, poll_async, until_running, with_fake_now

import pgqrs
from pgqrs import PyWorkflow, RetryPolicy, SyncWorkflow
from pgqrs.decorators import step, workflow

calls: Counter[str] = Counter()
fail_until: dict[str, int] = {}  # step name -> attempts that fail before one succeeds
gates: dict[str, asyncio.Event] = {}


@pytest.fixture(autouse=True)
def _reset() -> None:
    calls.clear()
    fail_until.clear()
    gates.clear()


class FlakyError(RuntimeError):
    pass


def attempt(name: str) -> int:
    calls[name] += 1
    if calls[name] <= fail_until.get(name, 0):
        raise FlakyError(f"{name} attempt {calls[name]} failed")
    return calls[name]


@step(retries=4, backoff=0.01, max_backoff=0.02)
async def fetch(ctx: PyWorkflow, n: int) -> int:
    return attempt("fetch") * 0 + n * 10


@step
async def save(ctx: PyWorkflow, value: int) -> str:
    attempt("save")
    return f"saved {value}"


@workflow
async def pipeline(ctx: PyWorkflow, n: int) -> str:
    return await save(ctx, await fetch(ctx, n))


@step(retries=2, backoff=0.01, max_backoff=0.01)
async def always_fails(ctx: PyWorkflow) -> None:
    attempt("always_fails")
    raise FlakyError("still broken")


@workflow
async def doomed(ctx: PyWorkflow, _input: Any = None) -> None:
    await always_fails(ctx)


@step(retries=5, backoff=0.01)
async def bad_input(ctx: PyWorkflow, n: int) -> int:
    attempt("bad_input")
    raise ValueError(f"{n} is not a valid order")


@workflow
async def validates(ctx: PyWorkflow, n: int) -> int:
    return await bad_input(ctx, n)


@step(retry=RetryPolicy(max_attempts=3, backoff=3600, max_backoff=3600))
async def slow_retry(ctx: PyWorkflow) -> int:
    return attempt("slow_retry")


@workflow
async def patient(ctx: PyWorkflow, _input: Any = None) -> int:
    return await slow_retry(ctx)


@workflow
async def quick(ctx: PyWorkflow, n: int) -> int:
    return await save(ctx, n) and n


@step
async def first(ctx: PyWorkflow) -> int:
    return attempt("first")


@step
async def second(ctx: PyWorkflow) -> int:
    if fail_until.get("second_raises"):
        raise pgqrs.NonRetryable("second cannot work yet")
    return attempt("second")


@step
async def third(ctx: PyWorkflow, a: int, b: int) -> int:
    return attempt("third") + a + b


@workflow
async def three_steps(ctx: PyWorkflow, _input: Any = None) -> int:
    return await third(ctx, await first(ctx), await second(ctx))


@step
async def wait_for_gate(ctx: PyWorkflow, name: str) -> str:
    calls[f"gate {name} entered"] += 1
    try:
        await gates[name].wait()
    except asyncio.CancelledError:
        calls[f"gate {name} cancelled"] += 1
        raise
    return name


@workflow
async def gated(ctx: PyWorkflow, _input: Any = None) -> str:
    await wait_for_gate(ctx, "one")
    await save(ctx, 1)
    return "done"


@step(timeout=0.3, retries=1, backoff=0.01)
async def hangs_once(ctx: PyWorkflow) -> str:
    calls["hangs_once"] += 1
    if calls["hangs_once"] == 1:
        await asyncio.Event().wait()  # never set: only the timeout ends this attempt
    return "second attempt"


@workflow
async def timed(ctx: PyWorkflow, _input: Any = None) -> str:
    return await hangs_once(ctx)


@step(retries=2, backoff=0.01, max_backoff=0.01)
def sync_flaky(ctx: SyncWorkflow) -> int:
    return attempt("sync_flaky")


@workflow
def sync_flow(ctx: SyncWorkflow, _input: Any = None) -> int:
    return sync_flaky(ctx)


@step
async def unstable(ctx: PyWorkflow) -> int:
    return attempt("unstable")


@workflow(retries=2, retry_backoff=0.01, retry_max_backoff=0.01)
async def retried_flow(ctx: PyWorkflow, _input: Any = None) -> int:
    return await unstable(ctx)


ALL = [pipeline, doomed, validates, patient, quick, three_steps, gated, timed, sync_flow]


@contextlib.asynccontextmanager
async def worker_on(
    dsn: str, workflows: list[Any] | None = None, **store_options: Any
) -> AsyncIterator[tuple[pgqrs.Store, pgqrs.Admin]]:
    """A store on ``dsn`` and a worker serving ``workflows`` (default ALL) in this process."""
    store_options.setdefault("runner_id", "w1")
    async with await pgqrs.connect(dsn, **store_options) as store:
        worker = pgqrs.Worker(store, workflows or ALL, concurrency=4, grace_period=5)
        task = asyncio.create_task(worker.run())
        try:
            yield store, pgqrs.admin(store)
        finally:
            worker.stop()
            await asyncio.wait_for(task, 30)


def attempts_of(dsn: str, workflow_id: Any) -> list[tuple[str, int, str, str | None]]:
    """(step, attempt, status, error type) of every attempt, as list_step_attempts shows it."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "select step_key, attempt, status, error ->> 'type' from pgqrs.list_step_attempts(%s)",
            (workflow_id,),
        ).fetchall()
    return [(str(a), int(b), str(c), d) for a, b, c, d in rows]


def status_of(dsn: str, workflow_id: Any) -> str:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("select status from pgqrs.get_workflow(%s)", (workflow_id,)).fetchone()
    assert row is not None
    return str(row[0])


# --- step retries ------------------------------------------------------------------------------


def test_flaky_step_succeeds_on_attempt_3(dsn: str) -> None:
    fail_until["fetch"] = 2

    async def main() -> None:
        async with worker_on(dsn) as (_, admin):
            handle = await admin.start_workflow(pipeline, 4)
            assert await handle.result(timeout=30) == "saved 40"
            assert calls["fetch"] == 3 and calls["save"] == 1

    asyncio.run(main())
    tail = attempts_of(dsn, poll_id(dsn, "pipeline"))
    assert tail == [
        ("fetch", 1, "FAILED", "test_failures.FlakyError"),
        ("fetch", 2, "FAILED", "test_failures.FlakyError"),
        ("fetch", 3, "SUCCESS", None),
        ("save", 1, "SUCCESS", None),
    ]


def poll_id(dsn: str, name: str) -> Any:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "select id from pgqrs.list_workflows(p_name => %s) limit 1", (name,)
        ).fetchone()
    assert row is not None
    return row[0]


def test_retry_exhaustion_fails_the_step_and_replays_its_error(dsn: str) -> None:
    async def main() -> None:
        async with worker_on(dsn) as (_, admin):
            handle = await admin.start_workflow(doomed)
            with pytest.raises(pgqrs.WorkflowFailedError, match="still broken"):
                await handle.result(timeout=30)
            assert calls["always_fails"] == 3  # retries=2: three attempts in all
            ctx = await admin.workflow(handle.id)
            with pytest.raises(pgqrs.WorkflowFailedError):
                await doomed(ctx)  # the finished workflow replays its failure
            assert calls["always_fails"] == 3
            return handle.id

    workflow_id = asyncio.run(main())
    assert attempts_of(dsn, workflow_id) == [
        ("always_fails", n, "FAILED", "test_failures.FlakyError") for n in (1, 2, 3)
    ]


def test_non_retryable_error_fails_at_once(dsn: str) -> None:
    async def main() -> Any:
        async with worker_on(dsn) as (_, admin):
            handle = await admin.start_workflow(validates, 7)
            with pytest.raises(pgqrs.WorkflowFailedError, match="7 is not a valid order"):
                await handle.result(timeout=30)
            return handle.id

    workflow_id = asyncio.run(main())
    assert calls["bad_input"] == 1  # ValueError is not retried, although retries=5
    assert attempts_of(dsn, workflow_id) == [("bad_input", 1, "FAILED", "ValueError")]


def test_nonretryable_marker_and_retry_on_are_honoured() -> None:
    policy = RetryPolicy(max_attempts=3, retry_on=(OSError, ValueError))
    assert policy.retryable(OSError("reset"))
    assert policy.retryable(ValueError("named in retry_on, so retried"))
    assert not policy.retryable(RuntimeError("not in retry_on"))

    class FatalError(pgqrs.NonRetryable, OSError):
        pass

    assert not policy.retryable(FatalError("marked"))
    assert not RetryPolicy().retryable(KeyError("k"))  # the default give-up list
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


def test_sync_def_steps_retry_too(dsn: str) -> None:
    fail_until["sync_flaky"] = 2

    async def main() -> None:
        async with worker_on(dsn) as (_, admin):
            handle = await admin.start_workflow(sync_flow)
            assert await handle.result(timeout=30) == 3

    asyncio.run(main())


def test_project_default_policy_applies_to_plain_steps(dsn: str) -> None:
    fail_until["save"] = 1
    policy = RetryPolicy(max_attempts=2, backoff=0.01, max_backoff=0.01)

    async def main() -> None:
        async with worker_on(dsn, step_retry=policy) as (_, admin):
            handle = await admin.start_workflow(quick, 5)
            assert await handle.result(timeout=30) == 5

    asyncio.run(main())
    assert calls["save"] == 2


# --- a long backoff holds nothing ------------------------------------------------------------


def test_long_backoff_frees_the_worker(dsn: str) -> None:
    fail_until["slow_retry"] = 1

    async def main() -> None:
        # One slot only: if the waiting workflow held it, nothing else could run.
        async with await pgqrs.connect(dsn, runner_id="w1") as store:
            worker = pgqrs.Worker(store, ALL, concurrency=1, grace_period=5)
            task = asyncio.create_task(worker.run())
            admin = pgqrs.admin(store)
            try:
                waiting = await admin.start_workflow(patient)
                # Judge by the stored row alone: a PENDING row read before the claim also has no
                # lease owner, and the step's counter may move after that read.
                info = await poll_async(
                    lambda: admin.get_workflow(waiting.id),
                    lambda i: (
                        i.status == "RUNNING"
                        and i.lease_owner is None
                        and i.available_at is not None
                    ),
                )
                assert info.queued and calls["slow_retry"] == 1
                meanwhile = await admin.start_workflow(quick, 9)
                # With one slot, this could only run because the suspended workflow holds none.
                assert await meanwhile.result(timeout=30) == 9
            finally:
                worker.stop()
                await asyncio.wait_for(task, 30)
        # An hour later (the fake clock of this worker's sessions), the retry is due.
        async with worker_on(with_fake_now(dsn, later(dsn, 3 * 3600)), runner_id="w2") as (
            _,
            admin,
        ):
            assert await admin.handle(waiting.id).result(timeout=30) == 2

    asyncio.run(main())
    assert calls["slow_retry"] == 2


def test_a_direct_run_suspends_and_a_worker_finishes_it(dsn: str) -> None:
    fail_until["slow_retry"] = 1

    async def main() -> None:
        async with await pgqrs.connect(dsn, runner_id="direct") as store:
            ctx = await pgqrs.admin(store).create_workflow("patient", None)
            with pytest.raises(pgqrs.WorkflowSuspended) as paused:
                await patient(ctx)
            assert 1800 <= paused.value.resume_in <= 3600
        async with worker_on(with_fake_now(dsn, later(dsn, 2 * 3600)), runner_id="w2") as (
            _,
            admin,
        ):
            assert await admin.handle(ctx.id).result(timeout=30) == 2

    asyncio.run(main())


# --- workflow retries, resume, fork ------------------------------------------------------------


def test_workflow_retry_reruns_from_the_last_completed_step(dsn: str) -> None:
    fail_until["unstable"] = 2

    async def main() -> None:
        async with worker_on(dsn, [retried_flow]) as (_, admin):
            handle = await admin.start_workflow(retried_flow)
            assert await handle.result(timeout=30) == 3
            info = await handle.info()
            assert (info.attempt, info.max_attempts) == (3, 3)

    asyncio.run(main())


def test_resume_after_failure_keeps_completed_steps(dsn: str) -> None:
    fail_until["second_raises"] = 1

    async def main() -> None:
        async with worker_on(dsn) as (_, admin):
            handle = await admin.start_workflow(three_steps)
            with pytest.raises(pgqrs.WorkflowFailedError, match="second cannot work yet"):
                await handle.result(timeout=30)
            assert (calls["first"], calls["second"]) == (1, 0)
            fail_until.pop("second_raises")  # the fix is deployed
            resumed = await admin.resume_workflow(handle.id)
            assert await resumed.result(timeout=30) == 1 + 1 + 1
            assert (calls["first"], calls["second"], calls["third"]) == (1, 1, 1)
            with pytest.raises(pgqrs.InvalidStateError):
                await admin.resume_workflow(handle.id)  # SUCCESS: nothing to resume
            return handle.id

    workflow_id = asyncio.run(main())
    assert attempts_of(dsn, workflow_id) == [
        ("first", 1, "SUCCESS", None),
        ("second", 1, "FAILED", "pgqrs.errors.NonRetryable"),
        ("second", 2, "SUCCESS", None),
        ("third", 1, "SUCCESS", None),
    ]


def test_fork_from_a_step_reruns_it_and_what_follows(dsn: str) -> None:
    async def main() -> None:
        async with worker_on(dsn) as (_, admin):
            source = await admin.start_workflow(three_steps)
            assert await source.result(timeout=30) == 3  # 1 + 1 + 1
            fork = await admin.fork_workflow(source.id, "second")
            assert await fork.result(timeout=30) == 1 + 2 + 2  # second and third ran again
            assert (calls["first"], calls["second"], calls["third"]) == (1, 2, 2)
            info = await fork.info()
            assert info.forked_from == source.id and info.id != source.id
            assert [s.key for s in await admin.list_steps(fork.id)][:1] == ["first"]
            assert (await source.info()).output == 3  # the source is untouched
            with pytest.raises(pgqrs.InvalidArgumentError, match="no step"):
                await admin.fork_workflow(source.id, "fourth")

    asyncio.run(main())


# --- cancel, deadlines, timeouts ---------------------------------------------------------------


def test_cancel_while_running_stops_before_the_next_step(dsn: str) -> None:
    async def main() -> Any:
        gates["one"] = asyncio.Event()
        async with worker_on(dsn, lease_seconds=0.6) as (_, admin):
            handle = await admin.start_workflow(gated)
            await poll_async(lambda: asyncio.sleep(0, calls["gate one entered"]), bool)
            await until_running(dsn, handle.id, "wait_for_gate")
            assert await admin.cancel_workflow(handle.id, "customer changed their mind")
            with pytest.raises(pgqrs.WorkflowCancelledError, match="changed their mind"):
                await handle.result(timeout=30)
            # The heartbeat (every 0.2 s) saw it and cancelled the running step.
            await poll_async(lambda: asyncio.sleep(0, calls["gate one cancelled"]), bool)
            assert calls["save"] == 0  # no further step started
            assert not await admin.cancel_workflow(handle.id)  # already final: no-op
            info = await handle.info()
            assert info.status == "CANCELLED" and info.lease_owner is None
            return handle.id

    workflow_id = asyncio.run(main())
    assert attempts_of(dsn, workflow_id) == [("wait_for_gate", 1, "RUNNING", None)]


def test_cancelling_a_finished_workflow_changes_nothing(dsn: str) -> None:
    async def main() -> None:
        async with worker_on(dsn) as (_, admin):
            handle = await admin.start_workflow(quick, 3)
            assert await handle.result(timeout=30) == 3
            before = await handle.info()
            assert not await admin.cancel_workflow(handle.id, "too late")
            assert await handle.info() == before

    asyncio.run(main())


def test_a_sync_workflow_notices_cancel_at_its_next_step(dsn: str) -> None:
    release = threading.Event()
    entered = threading.Event()

    @step
    def blocking(ctx: SyncWorkflow) -> str:
        entered.set()
        release.wait(30)
        return "late"

    @step
    def after(ctx: SyncWorkflow) -> None:
        calls["after"] += 1

    @workflow(name="sync_gated")
    def sync_gated(ctx: SyncWorkflow, _input: Any = None) -> None:
        blocking(ctx)
        after(ctx)

    async def main() -> None:
        async with worker_on(dsn, [sync_gated]) as (_, admin):
            handle = await admin.start_workflow(sync_gated)
            await asyncio.get_running_loop().run_in_executor(None, entered.wait, 30)
            await until_running(dsn, handle.id, "blocking")
            assert await admin.cancel_workflow(handle.id)
            release.set()
            with pytest.raises(pgqrs.WorkflowCancelledError):
                await handle.result(timeout=30)
            steps = await admin.list_steps(handle.id)
            assert [(s.key, s.status) for s in steps] == [("blocking", "RUNNING")]

    asyncio.run(main())
    assert calls["after"] == 0


def test_deadline_cancels_a_running_workflow(dsn: str) -> None:
    async def main() -> None:
        gates["one"] = asyncio.Event()
        async with worker_on(dsn, lease_seconds=0.6) as (_, admin):
            handle = await admin.start_workflow(gated, timeout=0.5)
            with pytest.raises(pgqrs.WorkflowCancelledError) as stopped:
                await handle.result(timeout=30)
            assert stopped.value.deadline_exceeded
            assert calls["save"] == 0

    asyncio.run(main())


def test_deadline_is_enforced_without_the_runner(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            handle = await pgqrs.admin(store).start_workflow(quick, 1, timeout=60)
        # No worker ran it in time; the first claim after the deadline cancels it unrun.
        async with worker_on(with_fake_now(dsn, later(dsn, 120)), runner_id="w2") as (_, admin):
            with pytest.raises(pgqrs.WorkflowCancelledError):
                await admin.handle(handle.id).result(timeout=30)
        assert calls["save"] == 0

    asyncio.run(main())


def test_step_timeout_fails_the_attempt_and_the_retry_succeeds(dsn: str) -> None:
    async def main() -> Any:
        async with worker_on(dsn) as (_, admin):
            handle = await admin.start_workflow(timed)
            assert await handle.result(timeout=30) == "second attempt"
            return handle.id

    workflow_id = asyncio.run(main())
    assert attempts_of(dsn, workflow_id) == [
        ("hangs_once", 1, "FAILED", "pgqrs.StepTimeout"),  # the name the SQL uses too
        ("hangs_once", 2, "SUCCESS", None),
    ]


# --- the replay guard --------------------------------------------------------------------------


@step
async def charge(ctx: PyWorkflow) -> str:
    calls["charge"] += 1
    return "charged"


@step
async def ship(ctx: PyWorkflow) -> str:
    calls["ship"] += 1
    return "shipped"


@step
async def check_fraud(ctx: PyWorkflow) -> str:
    calls["check_fraud"] += 1
    return "ok"


@workflow(name="order")
async def order_v1(ctx: PyWorkflow, _input: Any = None) -> str:
    await charge(ctx)
    return await ship(ctx)


@workflow(name="order")
async def order_v2(ctx: PyWorkflow, _input: Any = None) -> str:
    await check_fraud(ctx)  # inserted before the steps the old run recorded
    await charge(ctx)
    return await ship(ctx)


def test_code_change_is_caught_by_the_replay_guard(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("order", None)
            s = await ctx.acquire_step("charge")  # v1 ran its first step, then the process died
            assert s.guard is not None
            await s.guard.success("charged")
            await ctx.release()
            with pytest.raises(pgqrs.WorkflowCodeChangedError, match="position 1"):
                await order_v2(await admin.workflow(ctx.id))
            assert calls["check_fraud"] == 0 and calls["charge"] == 0
            info = await admin.get_workflow(ctx.id)
            assert info.status == "FAILED"
            assert info.error is not None
            assert info.error["type"] == "pgqrs.errors.WorkflowCodeChangedError"
            # Redeploy the code the run started with, and resume it: it finishes.
            async with worker_on(dsn, [order_v1]) as (_, admin2):
                handle = await admin2.resume_workflow(ctx.id)
                assert await handle.result(timeout=30) == "shipped"
            assert calls["charge"] == 0 and calls["ship"] == 1

    asyncio.run(main())


def test_replay_guard_in_sql_for_steps_not_in_the_snapshot(dsn: str) -> None:
    """A RUNNING step is not in the replay snapshot: begin_step itself refuses the mismatch."""

    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("order", None)
            assert (await ctx.acquire_step("charge")).guard is not None
            await until_running(dsn, ctx.id, "charge")  # and left RUNNING
            await ctx.release()
            with pytest.raises(pgqrs.WorkflowCodeChangedError) as caught:
                await order_v2(await admin.workflow(ctx.id))
            assert caught.value.sqlstate == "PQ010"

    asyncio.run(main())


@workflow(retries=3, retry_backoff=0.01, retry_max_backoff=0.01)
async def rejects_input(ctx: PyWorkflow, n: int) -> int:
    calls["rejects_input"] += 1
    raise ValueError(f"order {n} is malformed")


def test_workflow_retry_skips_errors_a_retry_cannot_fix(dsn: str) -> None:
    async def main() -> None:
        async with worker_on(dsn, [rejects_input]) as (_, admin):
            handle = await admin.start_workflow(rejects_input, 4)
            with pytest.raises(pgqrs.WorkflowFailedError, match="order 4 is malformed"):
                await handle.result(timeout=30)
            info = await handle.info()
            assert (info.status, info.attempt, info.max_attempts) == ("FAILED", 1, 4)

    asyncio.run(main())
    assert calls["rejects_input"] == 1
