"""Starting and running workflows with their own arguments (issue 14): start_workflow(fn, *args,
**kwargs), the stored form of a call, its checks at enqueue, in the worker and on a context,
admin.run, with_options, start_workflows, and the 0.1.0 forms that keep working."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import psycopg
import pytest
from helpers import fetch, poll_async, worker_on

import pgqrs
from pgqrs import PyWorkflow, SyncWorkflow
from pgqrs.decorators import step, workflow


@step
async def double(ctx: PyWorkflow, x: int) -> int:
    return 2 * x


@workflow
async def charge(ctx: PyWorkflow, customer: str, cents: int, *, note: str = "") -> str:
    return f"{customer}:{await double(ctx, cents)}{note}"


@workflow
async def one(ctx: PyWorkflow, order: dict[str, Any]) -> dict[str, Any]:
    return order


@workflow
async def nothing(ctx: PyWorkflow) -> str:
    return "done"


@workflow
async def prioritized(ctx: PyWorkflow, priority: int) -> int:
    """A parameter named like a start option is the function's."""
    return priority


@workflow
def sync_add(ctx: SyncWorkflow, a: int, b: int) -> int:
    return a + b


def stored_input(dsn: str, workflow_id: Any) -> Any:
    return fetch(dsn, "select input from pgqrs.workflows where id = %s", (workflow_id,))[0][0]


def test_a_call_is_stored_readably_and_run_by_a_worker(dsn: str) -> None:
    async def main() -> None:
        async with worker_on(dsn, [charge, one, nothing, prioritized, sync_add]) as (_, _, admin):
            calls = [
                (await admin.start_workflow(charge, "ann", 5, note="!"), "ann:10!"),
                (await admin.start_workflow(one, {"id": 7}), {"id": 7}),
                (await admin.start_workflow(nothing), "done"),
                (await admin.start_workflow(prioritized, priority=9), 9),
                (await admin.start_workflow(sync_add, 2, b=3), 5),
            ]
            for handle, expected in calls:
                assert await handle.result(timeout=30) == expected
            stored = [stored_input(dsn, h.id) for h, _ in calls]
            assert stored == [
                {"$args": ["ann", 5], "$kwargs": {"note": "!"}},
                {"id": 7},  # one argument: the value itself, as in 0.1.0
                {"$args": [], "$kwargs": {}},
                {"$args": [], "$kwargs": {"priority": 9}},
                {"$args": [2], "$kwargs": {"b": 3}},
            ]
            # priority=9 went to the function, not to the queue
            (row,) = fetch(
                dsn, "select priority from pgqrs.workflows where id = %s", (calls[3][0].id,)
            )
            assert row == (0,)

    asyncio.run(main())


def test_a_single_argument_that_looks_like_a_call_is_wrapped(dsn: str) -> None:
    async def main() -> None:
        async with worker_on(dsn, [one]) as (_, _, admin):
            tricky = {"$args": [1], "$kwargs": {}}
            handle = await admin.start_workflow(one, tricky)
            assert await handle.result(timeout=30) == tricky
            assert stored_input(dsn, handle.id) == {"$args": [tricky], "$kwargs": {}}

    asyncio.run(main())


def test_a_bad_call_is_refused_before_anything_is_stored(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            with pytest.raises(pgqrs.InvalidArgumentError, match=r"missing a required argument"):
                await admin.start_workflow(charge, "ann")
            with pytest.raises(pgqrs.InvalidArgumentError, match=r"charge\(ctx, customer: str, "):
                await admin.start_workflow(charge, "ann", 5, colour="red")
            with pytest.raises(pgqrs.InvalidArgumentError):
                await admin.run(nothing, 1)  # type: ignore[call-arg]
            with pytest.raises(pgqrs.InvalidArgumentError):
                await admin.start_workflows(charge, ["ann"])
        assert fetch(dsn, "select count(*) from pgqrs.workflows") == [(0,)]

    asyncio.run(main())


def test_a_stored_call_that_does_not_fit_fails_the_workflow_once(dsn: str) -> None:
    """Started by name with the wrong arguments (or by another client): the worker fails it
    for good with the reason, and goes on with the others."""

    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            wrong = await admin.start_workflow("charge", {"customer": "ann"})
            right = await admin.start_workflow("charge", "bob", 1)
        async with worker_on(dsn, [charge]) as (_, _, admin):
            assert await admin.handle(right.id).result(timeout=30) == "bob:2"
            with pytest.raises(pgqrs.WorkflowFailedError) as failed:
                await admin.handle(wrong.id).result(timeout=30)
            assert failed.value.error_type == "pgqrs.errors.InvalidArgumentError"
            assert "do not fit its signature charge(ctx, customer: str" in str(failed.value)
            info = await admin.get_workflow(wrong.id)
            assert (info.status, info.attempt, info.recoveries) == ("FAILED", 1, 0)

    asyncio.run(main())


def test_run_creates_and_runs_and_a_context_refuses_another_call(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn, runner_id="me") as store:
            admin = pgqrs.admin(store)
            assert await admin.run(charge, "ann", 2, note="?") == "ann:4?"
            again = admin.with_options(idempotency_key="k1")
            assert await again.run(charge, "bob", 1) == "bob:2"
            assert await again.run(charge, "bob", 1) == "bob:2"  # the same workflow, replayed
            assert fetch(dsn, "select count(*) from pgqrs.workflows where name = 'charge'") == [
                (2,)
            ]
            with pytest.raises(pgqrs.InvalidArgumentError, match="takes no 'queue' option"):
                await admin.with_options(queue="q").run(charge, "x", 1)

            ctx = await admin.create_workflow("charge", "carl")  # one argument stored
            with pytest.raises(pgqrs.InvalidArgumentError, match=r"made for the arguments"):
                await charge(ctx, "carl", 3)
            # refused without keeping the lease: another runner can take it at once
            assert (await admin.get_workflow(ctx.id)).lease_owner is None
            ctx = await admin.create_workflow("one", {"a": 1})
            with pytest.raises(pgqrs.InvalidArgumentError, match=r"is a 'one' workflow"):
                await charge(ctx, "x", 1)
            # the stored call, from any process
            ctx = await admin.workflow((await admin.start_workflow(charge, "dan", 4, note=".")).id)
            assert (ctx.args, ctx.kwargs) == (("dan", 4), {"note": "."})
            assert await charge(ctx, *ctx.args, **ctx.kwargs) == "dan:8."

    asyncio.run(main())


def test_the_0_1_0_forms_mean_what_they_meant(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        admin = pgqrs.admin(store)
        by_name = admin.start_workflow("one", {"x": 1}, idempotency_key="a")
        assert admin.start_workflow("one", {"x": 1}, idempotency_key="a").id == by_name.id
        keyword = admin.start_workflow(one, input={"x": 2})
        default = admin.start_workflow("one")
        ctx = admin.create_workflow("nothing")
        assert nothing_sync_ok(ctx)
    assert stored_input(dsn, by_name.id) == {"x": 1}
    assert stored_input(dsn, keyword.id) == {"x": 2}
    assert stored_input(dsn, default.id) is None


@workflow(name="nothing")
def nothing_sync(ctx: SyncWorkflow) -> str:
    return "done"


def nothing_sync_ok(ctx: SyncWorkflow) -> bool:
    """A null input runs a workflow that takes no argument (create_workflow(name))."""
    return nothing_sync(ctx) == "done"


def test_start_workflows_enqueues_in_one_round_trip(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            keys = [f"k{i}" for i in range(3)]
            handles = await admin.start_workflows(
                charge, [("a", 1), ("b", 2), ("c", 3)], idempotency_keys=keys, queue="bulk"
            )
            again = await admin.start_workflows(
                charge, [("a", 1), ("b", 2), ("c", 3)], idempotency_keys=keys, queue="bulk"
            )
            assert [h.id for h in again] == [h.id for h in handles]
            singles = await admin.with_options(priority=5).start_workflows(one, [{"n": 1}, [1, 2]])
            with pytest.raises(pgqrs.InvalidArgumentError, match="takes no 'idempotency_key'"):
                await admin.start_workflows(one, [1], idempotency_key="x")
            assert await admin.start_workflows(one, []) == []
            started = time.monotonic()
            many = await admin.start_workflows("load", range(5000))
            took = time.monotonic() - started
        assert len(many) == 5000 and took < 10, took
        rows = {
            row[0]: row[1:]
            for row in fetch(
                dsn,
                "select id, input, queue, priority from pgqrs.workflows where id = any(%s)",
                ([h.id for h in [*handles, *singles]],),
            )
        }
        assert [rows[h.id] for h in [*handles, *singles]] == [
            ({"$args": ["a", 1], "$kwargs": {}}, "bulk", 0),
            ({"$args": ["b", 2], "$kwargs": {}}, "bulk", 0),
            ({"$args": ["c", 3], "$kwargs": {}}, "bulk", 0),
            ({"n": 1}, "default", 5),
            ([1, 2], "default", 5),
        ]

    asyncio.run(main())


@workflow(queue="payments", priority=7, concurrency_key="tenant-a")
async def queued_by_default(ctx: PyWorkflow, x: int) -> int:
    return x


def test_workflow_defaults_and_start_options_reach_the_queue(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            a = await admin.start_workflow(queued_by_default, 1)
            b = await admin.start_workflow(queued_by_default, 2, priority=-3, queue="other")
            c = await admin.start_workflow(one, {"n": 1}, debounce_key="d", debounce=60)
            d = await admin.start_workflow(one, {"n": 2}, debounce_key="d", debounce=60)
            assert d.id == c.id  # debounced: the later start postpones the waiting one
            with pytest.raises(pgqrs.InvalidArgumentError, match="go together"):
                await admin.start_workflow(one, {}, debounce_key="d")
            summaries = {s.id: s for s in await admin.list_workflows()}
        assert (summaries[a.id].queue, summaries[a.id].priority) == ("payments", 7)
        assert summaries[a.id].concurrency_key == "tenant-a"
        assert (summaries[b.id].queue, summaries[b.id].priority) == ("other", -3)
        assert stored_input(dsn, c.id) == {"n": 2}
        assert summaries[c.id].held_by is not None and "available at" in summaries[c.id].held_by

    asyncio.run(main())


def test_a_wait_that_times_out_says_why(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            handle = await admin.start_workflow(one, {"n": 1})
            with pytest.raises(pgqrs.WaitTimeoutError, match="no live worker serves 'one'"):
                await handle.result(timeout=0.1)
            ctx = await admin.create_workflow("one", {"n": 1})
            with pytest.raises(pgqrs.WaitTimeoutError, match="not queued for workers"):
                await admin.handle(ctx.id).result(timeout=0.1)

    asyncio.run(main())


def test_a_wrong_dsn_fails_at_once_with_libpqs_message(dsn: str, monkeypatch: Any) -> None:
    started = time.monotonic()
    with pytest.raises(pgqrs.ConnectionFailedError, match=r"(?i)connection refused") as refused:
        pgqrs.connect_sync("postgresql://nobody@127.0.0.1:1/nowhere")
    assert isinstance(refused.value, ConnectionError)
    with pytest.raises(pgqrs.ConnectionFailedError, match='database "nope" does not exist'):
        asyncio.run(pgqrs.connect(psycopg.conninfo.make_conninfo(dsn, dbname="nope")))
    with pytest.raises(pgqrs.InvalidArgumentError, match="invalid connection string"):
        pgqrs.connect_sync("not a = dsn = at all")
    assert time.monotonic() - started < 10

    monkeypatch.setenv("PGQRS_DSN", dsn)
    with pgqrs.connect_sync() as store:
        assert store.dsn == dsn
    monkeypatch.delenv("PGQRS_DSN")
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    for key, variable in (("host", "PGHOST"), ("port", "PGPORT"), ("dbname", "PGDATABASE"),
                          ("user", "PGUSER"), ("password", "PGPASSWORD")):  # fmt: skip
        if params.get(key):
            monkeypatch.setenv(variable, str(params[key]))
    with pgqrs.connect_sync() as store:
        assert pgqrs.admin(store).list_workflows() == []


def test_iter_workflows_walks_every_page(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        admin = pgqrs.admin(store)
        started = admin.start_workflows("walk", range(7))
        seen = [s.id for s in admin.iter_workflows(name="walk", page_size=3)]
        first = admin.list_workflows(name="walk", limit=3)
        second = admin.list_workflows(name="walk", limit=3, before=first[-1])
    assert sorted(seen) == sorted(h.id for h in started) and len(set(seen)) == 7
    assert seen[:6] == [s.id for s in first + second]


def test_queues_are_set_listed_and_deleted(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        admin = pgqrs.admin(store)
        settings = admin.set_queue("payments", concurrency=4, rate="100/m")
        assert (settings.concurrency, settings.rate_limit, settings.rate_period_seconds) == (
            4, 100, 60.0,
        )  # fmt: skip
        assert settings.rate == "100/60s"
        settings = admin.set_queue("payments", rate=None, key_concurrency=2, paused=True)
        assert (settings.concurrency, settings.rate, settings.key_concurrency) == (4, None, 2)
        assert settings.paused
        admin.set_queue("payments", concurrency=None)
        admin.start_workflow(one, {"n": 1}, queue="payments", concurrency_key="t1")
        (queue,) = admin.list_queues()
        assert (queue.name, queue.concurrency, queue.paused, queue.queued, queue.keys) == (
            "payments", None, True, 1, 1,
        )  # fmt: skip
        (held,) = admin.list_workflows()
        assert held.held_by == "queue payments is paused"
        with pytest.raises(pgqrs.InvalidArgumentError):
            admin.set_queue("payments", concurrency=0)
        with pytest.raises(pgqrs.InvalidArgumentError, match="a rate is"):
            admin.set_queue("payments", rate="fast")
        assert admin.delete_queue("payments") is True
        assert admin.delete_queue("payments") is False
    assert pgqrs.QueueSettings.__dataclass_params__.frozen  # type: ignore[attr-defined]
    for text, parsed in (("100/60s", (100, 60.0)), ("5/1.5h", (5, 5400.0)), ("7/d", (7, 86400.0))):
        assert pgqrs._results.parse_rate(text) == parsed


def test_a_cancel_and_a_resume_log_no_warnings(dsn: str, caplog: Any) -> None:
    gate = asyncio.Event()

    @step
    async def wait_here(ctx: PyWorkflow) -> int:
        await gate.wait()
        return 1

    @workflow(name="cancel_me")
    async def cancel_me(ctx: PyWorkflow) -> int:
        return await wait_here(ctx)

    async def main() -> None:
        async with worker_on(dsn, [cancel_me], lease_seconds=3) as (worker, _, admin):
            handle = await admin.start_workflow(cancel_me)
            await poll_async(lambda: admin.get_workflow(handle.id), lambda i: i.lease_owner)
            await admin.cancel_workflow(handle.id)
            with pytest.raises(pgqrs.WorkflowCancelledError):
                await handle.result(timeout=30)
            # its runner stops at its next heartbeat
            await poll_async(lambda: asyncio.sleep(0, worker.running), lambda n: n == 0)
            await admin.resume_workflow(handle.id)
            gate.set()
            assert await handle.result(timeout=30) == 1

    caplog.set_level("DEBUG")
    asyncio.run(main())
    noisy = [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert noisy == [], [r.getMessage() for r in noisy]
    assert not [r for r in caplog.records if r.name.startswith("psycopg")]
    stopped = [r for r in caplog.records if "stopped cancel_me" in r.getMessage()]
    assert stopped and stopped[0].workflow_name == "cancel_me"  # type: ignore[attr-defined]
    assert all(not r.getMessage().startswith("pgqrs:") for r in caplog.records)
    assert json.dumps([r.getMessage() for r in caplog.records]).count("pgqrs: ") == 0


def test_waiters_share_one_listen_connection(dsn: str) -> None:
    """handle.result() and admin.get_event() open no connection per call: every waiter of a
    store subscribes on its one LISTEN connection (pgqrs/_listen.py)."""

    def listening() -> int:
        return fetch(
            dsn,
            "select count(*) from pg_catalog.pg_stat_activity"
            " where datname = current_database() and query like 'LISTEN %%'",
        )[0][0]

    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            handles = [await admin.start_workflow(one, {"n": n}) for n in range(5)]
            waits = [asyncio.create_task(h.result()) for h in handles]
            waits += [
                asyncio.create_task(admin.get_event(h.id, "never", timeout=30)) for h in handles
            ]
            await poll_async(lambda: asyncio.to_thread(listening), lambda n: n >= 1)
            assert await asyncio.to_thread(listening) == 1
            for task in waits:
                task.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    asyncio.run(main())
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("pgqrs").handlers)


def test_two_workers_of_a_process_need_their_own_names(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn, runner_id="same") as store, pgqrs.Worker(store, [one]):
            with pytest.raises(pgqrs.InvalidArgumentError, match="its own name="):
                await pgqrs.Worker(store, [charge]).run()
            with pytest.raises(pgqrs.InvalidArgumentError, match="its own name="):
                async with pgqrs.Worker(store, [charge]):
                    pass
            async with pgqrs.Worker(store, [charge], name="other"):
                pass

    asyncio.run(main())
