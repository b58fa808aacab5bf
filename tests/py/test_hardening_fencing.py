"""Issue 13, "fencing and state holes": a fenced runner writes no step, a cancel never deadlocks
with a finishing child, and no child outlives its cancelled parent.

Each race runs on real connections: a row lock held by another transaction forces one
interleaving, and a barrier starts two sessions at once, many times over, for the others.
"""

from __future__ import annotations

import concurrent.futures
import json
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
import pytest
from helpers import fetch, later, wait_until_blocked


def one(conn: psycopg.Connection[Any], query: str, params: Sequence[Any] = ()) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def new_running(conn: psycopg.Connection[Any], name: str, owner: str) -> tuple[Any, int]:
    """A workflow created and acquired by ``owner``: (id, token)."""
    workflow_id = one(conn, "select workflow_id from pgqrs.create_workflow(%s)", (name,))
    token = one(conn, "select token from pgqrs.acquire_workflow(%s, %s, 60)", (workflow_id, owner))
    return workflow_id, token


# --- a fenced runner writes no step --------------------------------------------------------------

STEP_CALLS = {
    # begin_step with a retry budget of 3 attempts, so that a lost attempt would show.
    "begin_step": "select status, attempt from pgqrs.begin_step(%s, 'charge', %s, 1, 3)",
    "acquire_step": "select status, attempt from pgqrs.acquire_step(%s, 'charge', %s)",
}


@pytest.mark.parametrize("call", sorted(STEP_CALLS))
def test_a_runner_fenced_while_it_starts_a_step_writes_nothing(dsn: str, call: str) -> None:
    """Runner A (token 1) starts step 'charge' while another transaction holds the workflow
    row and an uncommitted row of that step; that transaction hands the lease to runner B
    (A's lease expired) and drops the step row, then commits. A must raise PQ003 and write
    nothing (before, A had checked its token already and then inserted a RUNNING row under
    the stale token), and B's step starts at attempt 1 with no abandoned attempt."""
    statement = STEP_CALLS[call]
    with psycopg.connect(dsn, autocommit=True) as conn:
        workflow_id, token_a = new_running(conn, "pay", "A")
    blocker = psycopg.connect(dsn)
    runner_a = psycopg.connect(dsn, autocommit=True)
    outcome: dict[str, Any] = {}

    def start_step_as_a() -> None:
        try:
            outcome["rows"] = runner_a.execute(statement, (workflow_id, token_a)).fetchall()
        except psycopg.Error as exc:
            outcome["error"] = exc

    try:
        blocker.execute(
            "select 1 from pgqrs.workflows where id = %s for no key update", (workflow_id,)
        )
        blocker.execute(
            "insert into pgqrs.steps (workflow_id, step_key, status, lease_token, started_at)"
            " values (%s, 'charge', 'RUNNING', 0, pg_catalog.now())",
            (workflow_id,),
        )
        thread = threading.Thread(target=start_step_as_a)
        thread.start()
        wait_until_blocked(dsn, runner_a.info.backend_pid)
        blocker.execute(
            "select pg_catalog.set_config('pgqrs.fake_now', %s, true)",
            (later(dsn, 3600).isoformat(),),
        )
        token_b = one(
            blocker, "select token from pgqrs.acquire_workflow(%s, 'B', 60)", (workflow_id,)
        )
        blocker.execute("delete from pgqrs.steps where workflow_id = %s", (workflow_id,))
        blocker.commit()
        thread.join(30)
        assert not thread.is_alive()
    finally:
        blocker.close()
        runner_a.close()
    error = outcome.get("error")
    assert error is not None and error.sqlstate == "PQ003", outcome
    assert fetch(dsn, "select * from pgqrs.steps where workflow_id = %s", (workflow_id,)) == []
    assert fetch(dsn, statement, (workflow_id, token_b)) == [("EXECUTE", 1)]
    assert fetch(dsn, "select count(*) from pgqrs.step_attempts") == [(0,)]


# --- races between two sessions, many times ------------------------------------------------------


class Race:
    """Two sessions on their own connections that start a statement each at the same moment
    (a barrier), as often as asked."""

    def __init__(self, dsn: str) -> None:
        self.conns = [psycopg.connect(dsn, autocommit=True) for _ in range(2)]
        self.pool = concurrent.futures.ThreadPoolExecutor(2)

    def close(self) -> None:
        self.pool.shutdown()
        for conn in self.conns:
            conn.close()

    def run(self, *statements: tuple[str, Sequence[Any]]) -> list[Any]:
        """The rows of each statement, or the psycopg error it raised."""
        barrier = threading.Barrier(len(statements))

        def go(i: int) -> Any:
            query, params = statements[i]
            barrier.wait(30)
            try:
                return self.conns[i].execute(query, params).fetchall()
            except psycopg.Error as exc:
                return exc

        return list(self.pool.map(go, range(len(statements))))


@pytest.fixture
def race(dsn: str) -> Iterator[Race]:
    racer = Race(dsn)
    try:
        yield racer
    finally:
        racer.close()


def apply_deferred(dsn: str) -> None:
    """Claims (of a worker whose name has no work) until every deferred cancel and wake-up is
    applied."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("select pgqrs.register_worker('applier', array['nothing'], 1)")
        for _ in range(100):
            if one(conn, "select count(*) from pgqrs.deferred") == 0:
                return
            conn.execute("select * from pgqrs.claim_workflows('applier', 1, 30)")
    raise AssertionError("deferred rows are not applied")


def sqlstate(result: Any) -> str | None:
    return result.sqlstate if isinstance(result, psycopg.Error) else None


def cancel_vs_finish(dsn: str, race: Race, rounds: int) -> None:
    """Parent P awaits child C (suspended), and workflow W awaits P. cancel_workflow(P) and
    complete_workflow(C) start at once, ``rounds`` times. Before, they locked P and C in
    opposite orders and deadlocked (40P01)."""
    setup = psycopg.connect(dsn, autocommit=True)
    trios = []
    try:
        for _ in range(rounds):
            parent, token_p = new_running(setup, "parent", "p")
            child = one(
                setup,
                "select workflow_id from pgqrs.submit_workflow('child', null, %s::jsonb)",
                (json.dumps({"parent_id": str(parent)}),),
            )
            token_c = one(setup, "select token from pgqrs.acquire_workflow(%s, 'c', 60)", (child,))
            watcher, token_w = new_running(setup, "watcher", "w")
            for waiter, token, awaited in ((watcher, token_w, parent), (parent, token_p, child)):
                assert (
                    one(
                        setup,
                        "select status from pgqrs.await_workflow(%s, 'await', %s, 1, %s)",
                        (waiter, token, awaited),
                    )
                    == "SUSPENDED"
                )
            cancelled, completed = race.run(
                ("select pgqrs.cancel_workflow(%s)", (parent,)),
                ("select pgqrs.complete_workflow(%s, %s, '\"done\"')", (child, token_c)),
            )
            assert sqlstate(cancelled) is None and sqlstate(completed) in (None, "PQ011"), (
                cancelled,
                completed,
            )
            assert cancelled == [(True,)]
            child_status = "SUCCESS" if sqlstate(completed) is None else "CANCELLED"
            states = fetch(
                dsn,
                "select status from pgqrs.workflows where id = any(%s)"
                " order by array_position(%s, id)",
                ([parent, child], [parent, child]),
            )
            assert states == [("CANCELLED",), (child_status,)]
            # W is woken now, or its wake-up is deferred to the next claim: never lost.
            assert fetch(
                dsn,
                "select w.available_at is not null or exists (select from pgqrs.deferred d"
                " where d.workflow_id = w.id and d.action = 'wake')"
                " from pgqrs.workflows w where w.id = %s",
                (watcher,),
            ) == [(True,)]
            trios.append((parent, child, watcher))
    finally:
        setup.close()
    apply_deferred(dsn)
    parents, children, watchers = (list(ids) for ids in zip(*trios, strict=True))
    rows = fetch(
        dsn,
        "select"
        " (select count(*) from pgqrs.workflows where id = any(%s) and status = 'CANCELLED'),"
        " (select count(*) from pgqrs.workflows where id = any(%s)"
        "   and status in ('SUCCESS', 'CANCELLED')),"
        " (select count(*) from pgqrs.workflows where id = any(%s) and status = 'RUNNING'"
        "   and lease_owner is null and available_at <= pg_catalog.clock_timestamp())",
        (parents, children, watchers),
    )
    assert rows == [(rounds, rounds, rounds)]


def test_cancel_and_a_finishing_child_never_deadlock(dsn: str, race: Race) -> None:
    cancel_vs_finish(dsn, race, 100)


@pytest.mark.slow
def test_cancel_and_a_finishing_child_never_deadlock_soak(dsn: str, race: Race) -> None:
    cancel_vs_finish(dsn, race, 1000)


def children_vs_cancel(dsn: str, race: Race, rounds: int) -> None:
    """submit_workflow of a child of P and cancel_workflow(P) start at once, ``rounds`` times:
    the child is refused (PQ011) or cancelled with its parent, never left to run."""
    refused = 0
    with psycopg.connect(dsn, autocommit=True) as setup:
        for _ in range(rounds):
            parent, _token = new_running(setup, "parent", "p")
            started, cancelled = race.run(
                (
                    "select workflow_id from pgqrs.submit_workflow('kid', null, %s::jsonb)",
                    (json.dumps({"parent_id": str(parent)}),),
                ),
                ("select pgqrs.cancel_workflow(%s)", (parent,)),
            )
            assert cancelled == [(True,)] and sqlstate(started) in (None, "PQ011"), (
                started,
                cancelled,
            )
            refused += sqlstate(started) == "PQ011"
    apply_deferred(dsn)
    orphans = fetch(
        dsn,
        "select c.id, c.status from pgqrs.workflows c join pgqrs.workflows p on p.id = c.parent_id"
        " where p.status = 'CANCELLED' and c.status not in ('SUCCESS', 'FAILED', 'CANCELLED')",
    )
    assert orphans == []
    created = fetch(dsn, "select count(*) from pgqrs.workflows where name = 'kid'")[0][0]
    assert created + refused == rounds


def test_a_child_never_outlives_its_cancelled_parent(dsn: str, race: Race) -> None:
    children_vs_cancel(dsn, race, 100)


@pytest.mark.slow
def test_a_child_never_outlives_its_cancelled_parent_soak(dsn: str, race: Race) -> None:
    children_vs_cancel(dsn, race, 1000)


def test_a_cancelled_parent_starts_no_child(dsn: str) -> None:
    """In sequence: a child submitted for a parent that is CANCELLED already is refused with
    PQ011, and nothing is created."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        parent, _token = new_running(conn, "parent", "p")
        conn.execute("select pgqrs.cancel_workflow(%s)", (parent,))
        with pytest.raises(psycopg.Error) as caught:
            conn.execute(
                "select pgqrs.submit_workflow('kid', null, %s::jsonb)",
                (json.dumps({"parent_id": str(parent)}),),
            )
        assert caught.value.sqlstate == "PQ011"
    assert fetch(dsn, "select count(*) from pgqrs.workflows where name = 'kid'") == [(0,)]
