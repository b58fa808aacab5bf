"""Issue 13, replay holes: forks of workflows with 0.1.0 steps or wait steps, steps called on a
context whose workflow is not being run, an abandoned inline run handed back to the workers,
and the low-level API keyed by the exact step name (the seed contract)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import flows
import pytest
from helpers import fetch, later, with_fake_now, worker_on
from test_crash import _kill_in_transform

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.decorators import step, workflow

ran: Counter[str] = Counter()


@pytest.fixture(autouse=True)
def _reset() -> None:
    ran.clear()


def letter_step(name: str) -> Any:
    @step(name=name)
    async def run(ctx: PyWorkflow) -> str:
        ran[name] += 1
        return f"{name}-new"

    return run


STEPS = [letter_step(name) for name in "abcd"]


@workflow
async def mixed(ctx: PyWorkflow, _input: Any = None) -> list[str]:
    return [await s(ctx) for s in STEPS]


@step
async def note(ctx: PyWorkflow, what: str) -> str:
    ran[what] += 1
    return what


@workflow
async def kid(ctx: PyWorkflow, n: int) -> int:
    ran["kid"] += 1
    return n * n


@workflow
async def patient(ctx: PyWorkflow, _input: Any = None) -> list[Any]:
    """One of each wait step: a sleep, an event, a receive, a child and its await."""
    await note(ctx, "first")
    await ctx.sleep(0.01)
    await ctx.set_event("stage", "waiting")
    message = await ctx.recv("go", timeout=60)
    child = await ctx.start_child(kid, 3)
    squared = await child.result()
    return [message, squared, await note(ctx, "last")]


# --- fork ---------------------------------------------------------------------------------------


def record_mixed_history(dsn: str) -> Any:
    """A SUCCESS 'mixed' workflow whose steps a and c were run by 0.1.0 calls (acquire_step and
    complete_step: no position) and b and d by positioned ones, alternately, as happens while
    old and new clients resume it during a rolling deploy."""
    workflow_id = fetch(dsn, "select workflow_id from pgqrs.create_workflow('mixed')")[0][0]
    token = fetch(dsn, "select token from pgqrs.acquire_workflow(%s, 'r', 30)", (workflow_id,))[0][
        0
    ]
    for position, name in enumerate("abcd", start=1):
        value = json.dumps(f"{name}-old")
        if name in "ac":
            fetch(dsn, "select pgqrs.acquire_step(%s, %s, %s)", (workflow_id, name, token))
            fetch(
                dsn,
                "select pgqrs.complete_step(%s, %s, %s, %s::jsonb)",
                (workflow_id, name, token, value),
            )
        else:
            fetch(
                dsn,
                "select pgqrs.record_step(%s, %s, %s, %s, %s::jsonb)",
                (workflow_id, name, token, position, value),
            )
    fetch(dsn, "select pgqrs.complete_workflow(%s, %s, '[]')", (workflow_id, token))
    return workflow_id


def test_a_fork_of_a_workflow_mixing_old_and_positioned_steps_replays(dsn: str) -> None:
    """Forks from each step keep the steps before it, in run order, and run the rest (before,
    the copy raised a raw 23505 or dropped steps, and the replay guard then refused it)."""
    source = record_mixed_history(dsn)
    expected = {
        "b": (["a-old", "b-new", "c-new", "d-new"], {"b": 1, "c": 1, "d": 1}),
        "c": (["a-old", "b-old", "c-new", "d-new"], {"c": 1, "d": 1}),
        "d": (["a-old", "b-old", "c-old", "d-new"], {"d": 1}),
    }

    async def main() -> None:
        async with worker_on(dsn, [mixed]) as (_, _store, admin):
            for from_step, (output, runs) in expected.items():
                ran.clear()
                fork = await admin.fork_workflow(source, from_step=from_step)
                assert await fork.result(timeout=30) == output, from_step
                assert ran == runs, from_step

    asyncio.run(main())


def test_a_fork_replays_its_copied_wait_steps(dsn: str) -> None:
    """A fork of a workflow that slept, set an event, received a message and awaited a child
    replays each of those steps: from the snapshot in Python, and through the SQL wait
    functions as any other client would call them (before, the copies lost their kind and
    those calls raised PQ005)."""

    async def main() -> None:
        async with worker_on(dsn, [patient, kid]) as (_, _store, admin):
            source = await admin.start_workflow(patient)
            await admin.send(source.id, "go", {"ok": True})
            assert await source.result(timeout=30) == [{"ok": True}, 9, "last"]
            fork = await admin.fork_workflow(source.id, from_step="note#2")
            assert await fork.result(timeout=30) == [{"ok": True}, 9, "last"]
        assert ran == {"first": 1, "last": 2, "kid": 1}
        await replay_waits_in_sql(dsn, fork.id)

    asyncio.run(main())


async def replay_waits_in_sql(dsn: str, fork_id: Any) -> None:
    """Each copied wait step of the (finished) fork, called again through SQL by a runner of a
    resumed copy of it, returns its recorded outcome."""
    again = fetch(dsn, "select pgqrs.fork_workflow(%s, 'note#2')", (fork_id,))[0][0]
    token = fetch(dsn, "select token from pgqrs.acquire_workflow(%s, 'psql', 30)", (again,))[0][0]
    positions = dict(
        fetch(dsn, "select step_key, position from pgqrs.steps where workflow_id = %s", (again,))
    )
    child = fetch(
        dsn,
        "select output #>> '{}' from pgqrs.steps where workflow_id = %s and step_key = %s",
        (again, "pgqrs.start_child"),
    )[0][0]
    calls = {
        "pgqrs.sleep": (
            "select status from pgqrs.sleep_step(%s, 'pgqrs.sleep', %s, %s, p_seconds => 0.01)",
            (),
            "DONE",
        ),
        "pgqrs.set_event": (
            "select 'SET' from pgqrs.set_event(%s, 'pgqrs.set_event', %s, %s, 'stage', '1')",
            (),
            "SET",
        ),
        "pgqrs.recv": (
            "select status || ' ' || message::text"
            " from pgqrs.recv_message(%s, 'pgqrs.recv', %s, %s, 'go', 60)",
            (),
            'RECEIVED {"ok": true}',
        ),
        "pgqrs.await": (
            "select status || ' ' || (outcome ->> 'output')"
            " from pgqrs.await_workflow(%s, 'pgqrs.await', %s, %s, %s::uuid)",
            (child,),
            "DONE 9",
        ),
    }
    for key, (query, extra, answer) in calls.items():
        rows = fetch(dsn, query, (again, token, positions[key], *extra))
        assert rows == [(answer,)], key


# --- a context whose workflow is not being run -----------------------------------------------


@step
async def add_one(ctx: PyWorkflow, x: int) -> int:
    ran["add_one"] += 1
    return x + 1


@workflow
async def incr(ctx: PyWorkflow, x: int) -> int:
    return await add_one(ctx, x)


def test_a_step_on_a_context_not_being_run_raises_and_changes_nothing(dsn: str) -> None:
    """A @step (or a wait) called with a fresh create_workflow context raises InvalidStateError
    and runs nothing; the workflow stays PENDING, and a run of it afterwards works (before, the
    step ran, the workflow was left RUNNING and unqueued, with a recovery counted)."""

    async def main() -> None:
        async with await pgqrs.connect(dsn, runner_id="r1") as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("incr", 1)
            calls = [
                lambda: add_one(ctx, 1),
                lambda: ctx.sleep(1),
                lambda: ctx.recv("t", timeout=1),
                lambda: ctx.set_event("k", 1),
                lambda: ctx.start_child(incr, 1),
            ]
            for call in calls:
                with pytest.raises(pgqrs.InvalidStateError, match="is not being run"):
                    await call()
            info = await ctx.info()
            assert (info.status, info.lease_owner, info.lease_token, info.recoveries) == (
                "PENDING",
                None,
                0,
                0,
            )
            assert await ctx.steps() == []
            assert ran == {}
            assert await incr(ctx, 1) == 2
            assert ran == {"add_one": 1}

    asyncio.run(main())


def test_an_abandoned_inline_run_goes_back_to_the_workers(dsn: str) -> None:
    """A workflow its creator ran in process (not queued) is left RUNNING when that process is
    killed. Once its lease has expired, resume_workflow queues it and a worker finishes it from
    its last step (before, neither resume nor revive accepted it)."""
    workflow_id = _kill_in_transform(dsn, "async", runner="inline-1")
    flows.DSN["dsn"] = dsn

    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            with pytest.raises(pgqrs.InvalidStateError, match="lease is live"):
                await pgqrs.admin(store).resume_workflow(workflow_id)
        # An hour later (the fake clock of every session below) the lease has expired.
        future = with_fake_now(dsn, later(dsn, 3600))
        async with worker_on(future, [flows.pipeline]) as (_, _store, admin):
            handle = await admin.resume_workflow(workflow_id)
            assert await handle.result(timeout=30) == {"total": 60, "count": 4}
            info = await handle.info()
            assert (info.status, info.queued, info.recoveries) == ("SUCCESS", True, 0)

    asyncio.run(main())
    assert flows.effects(dsn, workflow_id) == ["extract", "transform", "transform", "load"]


# --- the low-level API keys steps by the exact name ----------------------------------------------


@step
async def charge_step(ctx: PyWorkflow, cents: int) -> int:
    ran["charge"] += 1
    return cents


@workflow(name="checkout")
async def checkout(ctx: PyWorkflow, cents: int) -> list[int]:
    return [await charge_step(ctx, cents), await charge_step(ctx, cents + 1)]


def test_acquire_step_keys_steps_by_exact_name(dsn: str) -> None:
    """ctx.acquire_step("charge") twice in one run, and again in a second run: the first
    executes, the others return SKIPPED with the stored value (before, the second was a new
    step "charge#2"). A repeated @step call still gets "name#2"."""

    async def main() -> None:
        async with await pgqrs.connect(dsn, runner_id="r1") as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("seed", None)
            first = await ctx.acquire_step("charge")
            assert first.status == "EXECUTE" and first.guard is not None
            await first.guard.success({"cents": 500})
            second = await ctx.acquire_step("charge")
            assert (second.status, second.value, second.guard) == ("SKIPPED", {"cents": 500}, None)
            await ctx.release()
            again = await admin.workflow(ctx.id)
            third = await again.acquire_step("charge")
            assert (third.status, third.value) == ("SKIPPED", {"cents": 500})
            assert [(s.key, s.status) for s in await again.steps()] == [("charge", "SUCCESS")]

            decorated = await admin.create_workflow("checkout", 7)
            assert await checkout(decorated, 7) == [7, 8]
            assert [s.key for s in await decorated.steps()] == ["charge_step", "charge_step#2"]
            assert ran == {"charge": 2}

    asyncio.run(main())
