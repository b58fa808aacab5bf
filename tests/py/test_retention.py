"""Retention (docs/retention.md): admin.prune, the pruner a worker with retention runs, the one-
pruner-per-database lock, and what pruning never waits for or blocks. The SQL rules of what goes
and what stays are the pgTAP tests in tests/sql/prune/; the command is in test_cli.py.

Old workflows are made with the fake clock: a store whose sessions set ``pgqrs.fake_now`` (the
test database's role is a superuser, so the clock is honoured) runs them to their end on a day
long past, and the real clock then finds them old.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from helpers import poll, running_worker, with_fake_now

import pgqrs
from pgqrs import PyWorkflow, Retention, SyncWorkflow, _retention
from pgqrs.decorators import step, workflow

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


@step
def fetch(ctx: SyncWorkflow, n: int) -> int:
    return n + 1


@workflow
def ship(ctx: SyncWorkflow, n: int) -> int:
    return fetch(ctx, n)


@step
async def pack(ctx: PyWorkflow, n: int) -> int:
    return n * 2


@workflow
async def packer(ctx: PyWorkflow, n: int) -> int:
    return await pack(ctx, n)


def finished_at(dsn: str, when: datetime, count: int) -> list[str]:
    """``count`` workflows ``ship`` (one step each), run to SUCCESS at ``when``; their ids."""
    ids = []
    with pgqrs.connect_sync(with_fake_now(dsn, when)) as store:
        api = pgqrs.admin(store)
        for n in range(count):
            ctx = api.create_workflow("ship", n)
            ship(ctx, n)
            ids.append(str(ctx.id))
    return ids


def remaining(dsn: str, ids: list[str]) -> set[str]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT id::text FROM pgqrs.workflows WHERE id = ANY(%s::uuid[])", (ids,)
        ).fetchall()
    return {row[0] for row in rows}


@contextlib.contextmanager
def pruning_transaction(dsn: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection inside a transaction that has called pgqrs.prune (so it holds the pruner's
    lock, and the rows it deleted or locked) until the block ends and it commits."""
    with psycopg.connect(dsn) as conn:
        result = conn.execute("SELECT busy FROM pgqrs.prune(interval '1 day')").fetchone()
        assert result == (False,)
        yield conn
        conn.commit()


# --- admin.prune ------------------------------------------------------------------------------


def test_admin_prune_deletes_old_finished_workflows_in_batches(dsn: str) -> None:
    old = finished_at(dsn, LONG_AGO, 5)
    recent = finished_at(dsn, datetime.now(UTC) - timedelta(hours=1), 2)
    with pgqrs.connect_sync(dsn) as store:
        api = pgqrs.admin(store)
        first = api.prune(timedelta(days=1), limit=3)
        assert (first.workflows, first.steps, first.more, first.busy) == (3, 3, True, False)
        assert first.rows == 6
        second = api.prune(86400.0, limit=3)  # seconds work too
        assert (second.workflows, second.steps, second.more) == (2, 2, False)
        assert api.prune(timedelta(days=1)).rows == 0
        with pytest.raises(pgqrs.WorkflowNotFoundError):
            api.get_workflow(old[0])
    assert remaining(dsn, old + recent) == set(recent)


def test_admin_prune_refuses_a_window_out_of_bounds(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        api = pgqrs.admin(store)
        for bad in (timedelta(seconds=59), 30, -1.0, float("nan"), timedelta(days=36501)):
            with pytest.raises(pgqrs.InvalidArgumentError, match="older_than"):
                api.prune(bad)
        # The limit is the SQL's to check: PQ008.
        with pytest.raises(pgqrs.InvalidArgumentError, match="limit") as caught:
            api.prune(timedelta(days=1), limit=0)
        assert caught.value.sqlstate == "PQ008"


def test_retention_options_are_checked_and_named() -> None:
    assert Retention(timedelta(days=30)).batch == 1000
    assert Retention(3600).older_than == timedelta(hours=1)
    assert _retention.retention_option(7200) == Retention(timedelta(hours=2))
    assert _retention.retention_option(None) is None
    for kwargs, named in (
        ({"older_than": 10}, "older_than"),
        ({"older_than": "30d"}, "older_than"),
        ({"older_than": 3600, "interval": 0}, "interval"),
        ({"older_than": 3600, "interval": float("inf")}, "interval"),
        ({"older_than": 3600, "pause": -1}, "pause"),
        ({"older_than": 3600, "batch": 0}, "batch"),
        ({"older_than": 3600, "batch": 100_001}, "batch"),
        ({"older_than": 3600, "include_dead": "yes"}, "include_dead"),
    ):
        with pytest.raises(pgqrs.InvalidArgumentError, match=named):
            Retention(**kwargs)
    with pytest.raises(pgqrs.InvalidArgumentError, match="retention"):
        _retention.retention_option(timedelta(seconds=1))


# --- one pruner at a time ---------------------------------------------------------------------


def test_prune_is_busy_at_once_while_another_transaction_prunes(dsn: str) -> None:
    old = finished_at(dsn, LONG_AGO, 3)
    with (
        pruning_transaction(dsn) as holder,
        psycopg.connect(dsn, autocommit=True) as other,
    ):
        # The holder deleted them, uncommitted; the other session must not wait for it.
        other.execute("SET lock_timeout = '2s'")
        row = other.execute(
            "SELECT workflows, steps, messages, more, busy FROM pgqrs.prune(interval '1 day')"
        ).fetchone()
        assert row == (0, 0, 0, False, True)
        assert holder.execute("SELECT count(*) FROM pgqrs.workflows").fetchone() == (0,)
    # Committed: the lock is free again, and there is nothing left.
    with pgqrs.connect_sync(dsn) as store:
        result = pgqrs.admin(store).prune(timedelta(days=1))
    assert (result.busy, result.workflows) == (False, 0)
    assert remaining(dsn, old) == set()


def test_pruning_never_blocks_a_running_workflow(dsn: str) -> None:
    """A prune transaction left open holds locks only on final rows: the runners of running
    workflows, including a running child of an old finished root, write without waiting."""
    (root,) = finished_at(dsn, LONG_AGO, 1)
    with pgqrs.connect_sync(dsn) as store:
        api = pgqrs.admin(store)
        running = api.create_workflow("ship", 2)
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT workflow_id FROM pgqrs.submit_workflow('ship', '1',"
            " jsonb_build_object('parent_id', %s::uuid, 'queue', false))",
            (root,),
        ).fetchone()
    assert row is not None
    child = row[0]
    with pruning_transaction(dsn), psycopg.connect(dsn, autocommit=True) as runner:
        runner.execute("SET lock_timeout = '2s'")
        for workflow_id in (child, running.id):
            (token,) = runner.execute(
                "SELECT token FROM pgqrs.acquire_workflow(%s, 'runner-x')", (workflow_id,)
            ).fetchone() or (None,)
            runner.execute("SELECT pgqrs.complete_step(%s, 'fetch', %s, '1')", (workflow_id, token))
            runner.execute("SELECT pgqrs.heartbeat(%s, %s)", (workflow_id, token))
            runner.execute("SELECT pgqrs.complete_workflow(%s, %s, '2')", (workflow_id, token))
    # The tree with a running child stayed whole; the child finished just now, so it still does.
    assert remaining(dsn, [root, str(child)]) == {root, str(child)}


def test_a_child_cannot_be_added_under_a_root_being_pruned(dsn: str) -> None:
    (root,) = finished_at(dsn, LONG_AGO, 1)
    outcome: list[BaseException | str] = []

    def submit_child() -> None:
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(
                    "SELECT pgqrs.submit_workflow('ship', '1',"
                    " jsonb_build_object('parent_id', %s::uuid))",
                    (root,),
                )
            outcome.append("created")
        except psycopg.Error as exc:
            outcome.append(exc)

    with pruning_transaction(dsn), psycopg.connect(dsn, autocommit=True) as watcher:
        thread = threading.Thread(target=submit_child)
        thread.start()

        def waiting() -> bool:  # the submit waits for the pruner's lock on the root
            assert not outcome, f"submit_workflow did not wait: {outcome}"
            row = watcher.execute(
                "SELECT count(*) FROM pg_catalog.pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND query LIKE '%submit_workflow%'"
            ).fetchone()
            return row is not None and row[0] == 1

        poll(waiting, timeout=30, what="submit_workflow to wait for the pruner")
    thread.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], psycopg.Error), outcome
    assert outcome[0].sqlstate == "PQ001"  # the parent is gone: no orphan
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pgqrs.workflows").fetchone() == (0,)


# --- workers with retention ---------------------------------------------------------------------


def test_a_worker_with_retention_prunes_by_itself(
    dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    old = finished_at(dsn, LONG_AGO, 7)
    recent = finished_at(dsn, datetime.now(UTC) - timedelta(hours=1), 2)
    caplog.set_level(logging.INFO, logger="pgqrs")

    async def main() -> None:
        retention = Retention(timedelta(days=1), interval=0.05, batch=3, pause=0)
        async with (
            await pgqrs.connect(dsn, runner_id="keeper", retention=retention) as store,
            running_worker(store, [packer]),
        ):
            # The worker still runs workflows while it prunes.
            handle = await pgqrs.admin(store).start_workflow(packer, 21)
            assert await handle.result(timeout=30) == 42
            await asyncio.to_thread(
                poll, lambda: not remaining(dsn, old), timeout=30, what="the pruner"
            )
            assert remaining(dsn, [*recent, str(handle.id)]) == {*recent, str(handle.id)}

    asyncio.run(main())
    lines = [r.getMessage() for r in caplog.records if r.name == "pgqrs.retention"]
    assert any(
        "pruner of worker keeper deleted 7 workflows, 7 steps" in line and "in 3 batches" in line
        for line in lines
    ), lines
    assert any(
        "worker keeper prunes workflows finished over 1d ago, every 0.05s" in r.getMessage()
        for r in caplog.records
    )


def test_a_worker_without_retention_never_prunes(dsn: str) -> None:
    old = finished_at(dsn, LONG_AGO, 2)

    async def main() -> None:
        async with (
            await pgqrs.connect(dsn) as store,
            running_worker(store, [packer]) as worker,
        ):
            assert worker.retention is None
            handle = await pgqrs.admin(store).start_workflow(packer, 1)
            assert await handle.result(timeout=30) == 2

    asyncio.run(main())
    assert remaining(dsn, old) == set(old)


PRUNE_LOG = """
CREATE TABLE public.prune_log (xid xid8, pid int, at timestamptz);
CREATE FUNCTION public.log_prune() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.prune_log VALUES
        (pg_catalog.pg_current_xact_id(), pg_catalog.pg_backend_pid(),
         pg_catalog.clock_timestamp());
    PERFORM pg_catalog.pg_sleep(0.002);  -- a batch takes a while: room to overlap
    RETURN OLD;
END
$$;
CREATE TRIGGER log_prune BEFORE DELETE ON pgqrs.workflows
    FOR EACH ROW EXECUTE FUNCTION public.log_prune();
"""


def test_two_workers_with_retention_never_prune_at_once(
    dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every deleted workflow row is logged with its transaction and the time: the deletions of
    one transaction never interleave with another's, though both workers try all the time."""
    old = finished_at(dsn, LONG_AGO, 60)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(PRUNE_LOG)
    caplog.set_level(logging.DEBUG, logger="pgqrs.retention")

    async def main() -> None:
        retention = Retention(timedelta(days=1), interval=0.02, batch=4, pause=0.01)
        async with (
            await pgqrs.connect(dsn, runner_id="a") as store_a,
            await pgqrs.connect(dsn, runner_id="b") as store_b,
            running_worker(store_a, [packer], retention=retention),
            running_worker(store_b, [packer], retention=retention),
        ):
            await asyncio.to_thread(
                poll, lambda: not remaining(dsn, old), timeout=60, what="the pruners"
            )

    asyncio.run(main())
    with psycopg.connect(dsn, autocommit=True) as conn:
        spans = conn.execute(
            "SELECT xid::text, min(pid), count(*), min(at), max(at) FROM public.prune_log"
            " GROUP BY xid ORDER BY min(at)"
        ).fetchall()
    assert sum(n for _, _, n, _, _ in spans) == 60
    for (_, _, _, _, end), (xid, _, _, start, _) in itertools.pairwise(spans):
        assert start > end, f"transaction {xid} deleted while another was still deleting"
    busy = [r for r in caplog.records if "another pruner is at work" in r.getMessage()]
    took_over = [r for r in caplog.records if "another pruner took over" in r.getMessage()]
    assert busy or took_over, "the two pruners never met: the test proved nothing"
