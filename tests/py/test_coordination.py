"""Coordination end to end: durable sleep, messages and events, child workflows (docs/sleep.md,
docs/messages.md, docs/children.md).

Real workers in this process, a real psql for messages sent from outside Python. Time that must
pass (an hour of sleep) is moved with the fake clock of a restarted worker's sessions; the only
real waits are timeouts of a fraction of a second that the features themselves define.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from helpers import FAKE_CLOCK, later, poll_async, with_fake_now

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.decorators import step, workflow
from pgqrs.testing import Server, psql_path

calls: Counter[str] = Counter()
gates: dict[str, asyncio.Event] = {}


@pytest.fixture(autouse=True)
def _reset() -> None:
    calls.clear()
    gates.clear()


@step
async def note(ctx: PyWorkflow, what: str) -> str:
    calls[what] += 1
    return what


@workflow
async def napper(ctx: PyWorkflow, seconds: float) -> list[str]:
    before = await note(ctx, "before")
    await ctx.sleep(seconds)
    after = await note(ctx, "after")
    return [before, after]


@workflow
async def listener(ctx: PyWorkflow, topic: str) -> list[Any]:
    first = await ctx.recv(topic)
    second = await ctx.recv(topic)
    return [first, second]


@workflow
async def reporter(ctx: PyWorkflow, _input: Any = None) -> str:
    await ctx.set_event("progress", {"done": 1, "of": 2})
    go = await ctx.recv("go")
    await ctx.set_event("progress", {"done": 2, "of": 2})
    return str(go)


@workflow
async def square(ctx: PyWorkflow, n: int) -> int:
    calls["square"] += 1
    return n * n


@workflow
async def fan_out(ctx: PyWorkflow, n: int) -> int:
    children = [await ctx.start_child(square, i) for i in range(n)]
    return sum([await child.result() for child in children])


@step
async def wait_for_gate(ctx: PyWorkflow, name: str) -> str:
    await gates[name].wait()
    return name


@workflow
async def blocked_child(ctx: PyWorkflow, name: str) -> str:
    return await wait_for_gate(ctx, name)


@workflow
async def parent_of_blocked(ctx: PyWorkflow, n: int) -> list[str]:
    children = [await ctx.start_child(blocked_child, f"c{i}") for i in range(n)]
    return [await child.result() for child in children]


ALL = [napper, listener, reporter, square, fan_out, blocked_child, parent_of_blocked]


@contextlib.asynccontextmanager
async def worker_on(
    dsn: str, workflows: list[Any] | None = None, *, concurrency: int = 4, **options: Any
) -> AsyncIterator[tuple[pgqrs.Worker, pgqrs.Admin]]:
    options.setdefault("runner_id", "w1")
    async with await pgqrs.connect(dsn, **options) as store:
        worker = pgqrs.Worker(store, workflows or ALL, concurrency=concurrency, grace_period=5)
        task = asyncio.create_task(worker.run())
        try:
            yield worker, pgqrs.admin(store)
        finally:
            worker.stop()
            await asyncio.wait_for(task, 30)


def suspended(info: pgqrs.WorkflowInfo) -> bool:
    return info.status == "RUNNING" and info.lease_owner is None


# --- durable sleep -----------------------------------------------------------------------------


@FAKE_CLOCK
def test_an_hour_of_sleep_survives_every_worker_being_restarted(dsn: str) -> None:
    async def main() -> Any:
        async with worker_on(dsn) as (worker, admin):
            handle = await admin.start_workflow(napper, 3600)
            info = await poll_async(lambda: handle.info(), suspended)
            assert info.available_at is not None and info.waiting_for is None
            # The sleeping workflow holds no slot once its run has returned.
            await poll_async(lambda: asyncio.sleep(0, worker.running), lambda n: n == 0)
        # Every worker is gone. Two hours later (the new worker's clock), it wakes and ends.
        async with worker_on(with_fake_now(dsn, later(dsn, 2 * 3600)), runner_id="w2") as (
            _,
            admin,
        ):
            assert await admin.handle(handle.id).result(timeout=30) == ["before", "after"]
            steps = [(s.key, s.status) for s in await admin.list_steps(handle.id)]
        return steps

    steps = asyncio.run(main())
    assert steps == [("note", "SUCCESS"), ("pgqrs.sleep", "SUCCESS"), ("note#2", "SUCCESS")]
    assert calls == Counter({"before": 1, "after": 1})


def test_a_short_sleep_stays_in_process(dsn: str) -> None:
    async def main() -> None:
        async with worker_on(dsn) as (_, admin):
            handle = await admin.start_workflow(napper, 0.05)
            assert await handle.result(timeout=30) == ["before", "after"]
            info = await handle.info()
            assert info.recoveries == 0

    asyncio.run(main())


# --- messages and events -----------------------------------------------------------------------


def psql(pg_server: Server, dsn: str, sql: str) -> str:
    done = subprocess.run(
        [psql_path(pg_server.bindir), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_messages_sent_from_psql_wake_a_waiting_workflow(dsn: str, pg_server: Server) -> None:
    async def main() -> None:
        async with worker_on(dsn) as (_, admin):
            handle = await admin.start_workflow(listener, "orders")
            info = await poll_async(lambda: handle.info(), suspended)
            assert info.waiting_for == "message:orders" and info.available_at is None
            for n in (1, 2):
                psql(
                    pg_server,
                    dsn,
                    f"select created from pgqrs.send_message('{handle.id}', 'orders',"
                    f" '{{\"order\": {n}}}', 'psql-{n}')",
                )
            # Sending again with the same key delivers nothing twice.
            assert (
                psql(
                    pg_server,
                    dsn,
                    f"select created from pgqrs.send_message('{handle.id}', 'orders',"
                    " '{\"order\": 1}', 'psql-1')",
                )
                == "f"
            )
            assert await handle.result(timeout=30) == [{"order": 1}, {"order": 2}]

    asyncio.run(main())


@step
async def interrupted_once(ctx: PyWorkflow) -> None:
    calls["interrupted_once"] += 1
    if calls["interrupted_once"] == 1:
        raise SystemExit("the process is going down")  # not a failure: nothing is recorded


@workflow
async def late(ctx: PyWorkflow, _input: Any = None) -> list[Any]:
    first = await ctx.recv("t", timeout=0.1, default="timed out")
    await interrupted_once(ctx)
    second = await ctx.recv("t", timeout=30)
    return [first, second]


def test_a_wait_that_timed_out_replays_as_a_timeout(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn, runner_id="direct") as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("late", None)
            with pytest.raises(SystemExit):
                await late(ctx)
            # The message comes after the first receive timed out, before the re-run.
            await admin.send(ctx.id, "t", "late message")
            again = await admin.workflow(ctx.id)
            # The replay returns the recorded timeout, not the late message, which the next
            # receive gets instead.
            assert await late(again) == ["timed out", "late message"]

    asyncio.run(main())


@workflow
async def messenger(ctx: PyWorkflow, target: str) -> str:
    await ctx.send(target, "hello", {"from": str(ctx.id)})
    await interrupted_once(ctx)
    return "sent"


@pytest.mark.no_proxy(reason="counts the rows of pgqrs.messages")
def test_a_send_replayed_after_a_crash_delivers_once(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn, runner_id="direct") as store:
            admin = pgqrs.admin(store)
            target = await admin.create_workflow("listener", "hello")
            ctx = await admin.create_workflow("messenger", str(target.id))
            with pytest.raises(SystemExit):
                await messenger(ctx, str(target.id))
            assert await messenger(await admin.workflow(ctx.id), str(target.id)) == "sent"

    asyncio.run(main())
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert conn.execute("select count(*) from pgqrs.messages").fetchone() == (1,)


def test_events_are_read_from_anywhere_while_the_workflow_runs(dsn: str) -> None:
    async def main() -> None:
        async with worker_on(dsn) as (_, admin):
            handle = await admin.start_workflow(reporter)
            progress = await admin.get_event(handle.id, "progress", timeout=30)
            assert progress == {"done": 1, "of": 2}
            with pytest.raises(pgqrs.WaitTimeoutError):
                await admin.get_event(handle.id, "never set", timeout=0.2)
            await admin.send(handle.id, "go", "now")
            assert await handle.result(timeout=30) == "now"
            assert await admin.get_event(handle.id, "progress") == {"done": 2, "of": 2}

    asyncio.run(main())


# --- child workflows ---------------------------------------------------------------------------


def test_fan_out_of_100_children_on_2_workers(dsn: str) -> None:
    async def main() -> Any:
        async with (
            worker_on(dsn, runner_id="w1") as (_, admin),
            worker_on(dsn, runner_id="w2") as _,
        ):
            handle = await admin.start_workflow(fan_out, 100)
            assert await handle.result(timeout=120) == sum(i * i for i in range(100))
            return handle.id

    parent = asyncio.run(main())
    assert calls["square"] == 100  # each child ran once
    with psycopg.connect(dsn, autocommit=True) as conn:  # the API: through a proxy too
        rows = conn.execute(
            "select count(*), count(distinct idempotency_key)"
            " from pgqrs.list_workflows_page(p_limit => 10000)"
            " where parent_id = %s and status = 'SUCCESS'",
            (parent,),
        ).fetchone()
        owners = conn.execute(
            "select count(distinct owner) from pgqrs.list_step_attempts(%s)", (parent,)
        ).fetchone()
    assert rows == (100, 100)
    assert owners is not None and owners[0] >= 1


def test_a_parent_and_its_children_on_one_worker_do_not_deadlock(dsn: str) -> None:
    async def main() -> None:
        async with worker_on(dsn, concurrency=1) as (_, admin):
            handle = await admin.start_workflow(fan_out, 3)
            assert await handle.result(timeout=60) == 0 + 1 + 4

    asyncio.run(main())


def test_cancelling_a_parent_cancels_its_children(dsn: str) -> None:
    async def main() -> None:
        for name in ("c0", "c1"):
            gates[name] = asyncio.Event()
        async with worker_on(dsn, lease_seconds=0.6) as (_, admin):
            parent = await admin.start_workflow(parent_of_blocked, 2)
            info = await poll_async(lambda: parent.info(), suspended)
            assert info.waiting_for is not None and info.waiting_for.startswith("workflow:")
            children = [s for s in await admin.list_workflows(name="blocked_child") if s.status]
            assert len(children) == 2
            assert await admin.cancel_workflow(parent.id, "no longer needed")
            for child in children:
                with pytest.raises(pgqrs.WorkflowCancelledError, match="parent workflow"):
                    await admin.handle(child.id).result(timeout=30)

    asyncio.run(main())


def test_a_cancelled_child_fails_a_parent_that_does_not_handle_it(dsn: str) -> None:
    async def main() -> None:
        gates["c0"] = asyncio.Event()
        async with worker_on(dsn, lease_seconds=0.6) as (_, admin):
            parent = await admin.start_workflow(parent_of_blocked, 1)
            await poll_async(lambda: parent.info(), suspended)
            [child] = await admin.list_workflows(name="blocked_child")
            assert await admin.cancel_workflow(child.id, "the child alone")
            # The parent is woken, its await raises, and it fails with the child's cancellation;
            # cancelling a child never cancels its parent.
            with pytest.raises(pgqrs.WorkflowFailedError, match="the child alone"):
                await parent.result(timeout=30)
            info = await parent.info()
            assert info.status == "FAILED"
            assert info.error is not None
            assert info.error["type"] == "pgqrs.errors.WorkflowCancelledError"

    asyncio.run(main())
