"""What a claim and a run read does not grow with the data: every statement inside pgqrs.claim
is planned on an index whatever the table's statistics say, none is JIT-compiled, and while
another session holds back the xmin horizon a claim reads the front of its queue, not every
entry that earlier claims left behind, and a step or an outcome finds its workflow by id, not
through the status index (which only listings use).

Checked on the server: the plans auto_explain reports for the statements run inside the claim,
and the counters of the current transaction (pg_stat_get_xact_*), not timings."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from helpers import with_fake_now

from pgqrs import _sql

# Half the workflows finished with their deadline passed, half queued with a deadline a week
# away: the statistics make "a queued workflow past its deadline" look common, though there is
# none, which is what made the claim's deadline probe scan the whole table.
MISLEADING = """
insert into pgqrs.workflows (id, name, status, created_at, updated_at, finished_at, queued,
                             available_at, deadline_at)
select gen_random_uuid(), 'other', case when g % 2 = 0 then 'CANCELLED' else 'PENDING' end,
       now() - interval '1 day', now() - interval '1 day',
       case when g % 2 = 0 then now() - interval '1 day' end, true, now() - interval '1 day',
       case when g % 2 = 0 then now() - interval '1 hour' else now() + interval '7 days' end
  from generate_series(1, 4000) g
"""


def claim(conn: psycopg.Connection[Any], worker: str) -> list[tuple[Any, ...]]:
    return conn.execute(_sql.CLAIM, (worker, uuid.uuid4(), 1, 30.0)).fetchall()


def xact_count(conn: psycopg.Connection[Any], fn: str, relation: str) -> int:
    """A counter of pg_stat_get_xact_*: what this session did to the relation and has not yet
    reported (PostgreSQL 15 adds up several transactions there), so read it as a difference
    within one transaction."""
    row = conn.execute(f"select pg_catalog.{fn}(%s::regclass)", (relation,)).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.pg15_only  # auto_explain and LLVM JIT come with the system's server
def test_a_claim_plans_every_statement_on_an_index_and_compiles_none(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(MISLEADING)
        conn.execute("analyze pgqrs.workflows")
        conn.execute(_sql.REGISTER_WORKER, ("worker-a", ["wf"], 1, "test", 1))
        conn.execute(_sql.SUBMIT_WORKFLOW, ("wf", json.dumps(1), json.dumps({})))
        plans: list[str] = []
        conn.add_notice_handler(
            lambda d: (
                plans.append(d.message_primary or "")
                if d.context and "PL/pgSQL function" in d.context
                else None
            )
        )
        conn.execute("load 'auto_explain'")
        for setting, value in (
            ("auto_explain.log_min_duration", "0"),
            ("auto_explain.log_nested_statements", "on"),
            ("auto_explain.log_level", "notice"),
            # as eager as JIT gets: every plan qualifies
            ("jit", "on"),
            ("jit_above_cost", "0"),
            ("jit_inline_above_cost", "0"),
            ("jit_optimize_above_cost", "0"),
        ):
            conn.execute("select pg_catalog.set_config(%s, %s, false)", (setting, value))
        with conn.transaction():  # the counters of one transaction, before and after
            before = xact_count(conn, "pg_stat_get_xact_numscans", "pgqrs.workflows")
            rows = claim(conn, "worker-a")
            scans = xact_count(conn, "pg_stat_get_xact_numscans", "pgqrs.workflows") - before
    assert [r[1] for r in rows] == ["wf"]
    assert plans, "auto_explain reported no statement inside the claim"
    assert scans == 0, [p for p in plans if "Seq Scan" in p]
    assert not [p for p in plans if "JIT:" in p]


def test_under_a_held_back_horizon_a_claim_reads_the_front_of_its_queue(dsn: str) -> None:
    n = 200
    # A frozen clock: the claims below never rewrite the heartbeat, so none of them is the
    # once-a-second claim that looks from the start of the queue.
    with (
        psycopg.connect(
            with_fake_now(dsn, datetime(2030, 1, 1, tzinfo=UTC)), autocommit=True
        ) as conn,
        psycopg.connect(dsn, autocommit=True) as holder,
    ):
        conn.execute(_sql.REGISTER_WORKER, ("worker-a", ["wf"], 1, "test", 1))
        ids = [
            conn.execute(_sql.SUBMIT_WORKFLOW, ("wf", json.dumps(i), "{}")).fetchall()[0][0]
            for i in range(n + 1)
        ]
        # Another session's snapshot: from now on, no version that the claims below make dead
        # can be removed, nor its index entries marked dead.
        holder.execute("begin isolation level repeatable read")
        holder.execute("select count(*) from pgqrs.workflows")
        done = set()
        for _ in range(n):
            (got,) = claim(conn, "worker-a")
            conn.execute(_sql.COMPLETE_WORKFLOW, (got[0], got[2], json.dumps("ok")))
            done.add(got[0])
        indexes = ("pgqrs.workflows_claimable", "pgqrs.workflows_lease_owner")
        with conn.transaction():  # the counters of one transaction, before and after
            before = [xact_count(conn, "pg_stat_get_xact_tuples_returned", i) for i in indexes]
            (got,) = claim(conn, "worker-a")
            after = [xact_count(conn, "pg_stat_get_xact_tuples_returned", i) for i in indexes]
        claimable, by_owner = (a - b for a, b in zip(after, before, strict=True))
        holder.execute("rollback")
    assert {got[0]} == set(ids) - done
    # Without the session's key, the claim would read the n entries left behind in each index.
    assert claimable <= 3, claimable
    assert by_owner <= 3, by_owner


def test_under_a_held_back_horizon_a_step_and_an_outcome_read_their_workflow_by_id(
    dsn: str,
) -> None:
    n = 200
    with (
        psycopg.connect(dsn, autocommit=True) as conn,
        psycopg.connect(dsn, autocommit=True) as holder,
    ):
        conn.execute(_sql.REGISTER_WORKER, ("worker-a", ["wf"], 1, "test", 1))
        for i in range(n + 1):
            conn.execute(_sql.SUBMIT_WORKFLOW, ("wf", json.dumps(i), "{}"))
        holder.execute("begin isolation level repeatable read")
        holder.execute("select count(*) from pgqrs.workflows")

        def run_one() -> None:
            (got,) = claim(conn, "worker-a")
            conn.execute(_sql.RECORD_STEP, (got[0], "noop", got[2], 1, json.dumps(1), 0.0))
            conn.execute(_sql.COMPLETE_WORKFLOW, (got[0], got[2], json.dumps("ok")))

        for _ in range(n):
            run_one()
        # Statistics taken now say what is true of live rows: hardly any workflow is RUNNING.
        conn.execute("analyze pgqrs.workflows")
        index = "pgqrs.workflows_status_created"
        with conn.transaction():  # the counters of one transaction, before and after
            before = xact_count(conn, "pg_stat_get_xact_numscans", index)
            run_one()
            scans = xact_count(conn, "pg_stat_get_xact_numscans", index) - before
        holder.execute("rollback")
    # A lookup by id through the status index reads every RUNNING entry left behind; only
    # list_workflows_page may scan that index.
    assert scans == 0, f"{scans} scans of {index}"


def test_a_listing_by_status_still_reads_the_status_index(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "insert into pgqrs.workflows (id, name, status, created_at, updated_at)"
            " select gen_random_uuid(), 'wf', case when g % 100 = 0 then 'FAILED'"
            " else 'SUCCESS' end, now() - g * interval '1 second', now()"
            " from generate_series(1, 5000) g"
        )
        conn.execute("analyze pgqrs.workflows")
        index = "pgqrs.workflows_status_created"
        with conn.transaction():
            before = xact_count(conn, "pg_stat_get_xact_numscans", index)
            rows = conn.execute(
                "select status from pgqrs.list_workflows_page(p_status => 'FAILED', p_limit => 10)"
            ).fetchall()
            scans = xact_count(conn, "pg_stat_get_xact_numscans", index) - before
    assert rows == [("FAILED",)] * 10
    assert scans == 1, f"{scans} scans of {index}"


def test_the_end_of_a_run_in_a_limited_queue_reads_no_history(dsn: str) -> None:
    """A run that ends gives its concurrency slot back and looks for waiting work in its queue
    to wake a worker: through the claim indexes, not by scanning the table, whose front here
    holds 3,000 finished workflows of that queue (statistics that make "waiting work" look
    common made an EXISTS over the table a sequential scan, which read them all)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("select pgqrs.set_queue('lim', '{\"concurrency\": 2}'::jsonb)")
        conn.execute(
            "insert into pgqrs.workflows (id, name, status, created_at, updated_at, queued,"
            " available_at, queue)"
            " select gen_random_uuid(), 'other', case when g <= 3000 then 'SUCCESS'"
            " else 'PENDING' end, now(), now(), true, now() + interval '1 day', 'lim'"
            " from generate_series(1, 6000) g"
        )
        conn.execute("analyze pgqrs.workflows")
        conn.execute(_sql.REGISTER_WORKER, ("worker-a", ["wf"], 1, "test", 1))
        conn.execute(_sql.SUBMIT_WORKFLOW, ("wf", json.dumps(1), json.dumps({"queue": "lim"})))
        ((workflow_id, name, token, *_),) = claim(conn, "worker-a")
        assert name == "wf"
        with conn.transaction():
            before = xact_count(conn, "pg_stat_get_xact_numscans", "pgqrs.workflows")
            conn.execute(_sql.COMPLETE_WORKFLOW, (workflow_id, token, json.dumps(2)))
            scans = xact_count(conn, "pg_stat_get_xact_numscans", "pgqrs.workflows") - before
        (held,) = conn.execute(
            "select count(*) from pgqrs.queue_slots where queue = 'lim' and workflow_id is not null"
        ).fetchone() or (None,)
    assert held == 0  # the slot was given back
    assert scans == 0, f"{scans} sequential scans of pgqrs.workflows"
