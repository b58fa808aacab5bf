"""Queue claims that race, interleaved by hand on two connections (one transaction each), and
what they send on pgqrs_work: orders a single session (pgTAP) cannot produce."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest


@pytest.fixture
def conns(dsn: str) -> Iterator[list[psycopg.Connection[Any]]]:
    opened = [psycopg.connect(dsn, autocommit=True) for _ in range(3)]
    try:
        yield opened
    finally:
        for conn in opened:
            conn.close()


def enqueue(conn: psycopg.Connection[Any], queue: str, n: int, name: str = "wf") -> list[Any]:
    """n workflows queued one after the other (FIFO order = this order)."""
    return [
        conn.execute(
            "select workflow_id from pgqrs.submit_workflow(%s, %s::jsonb, %s::jsonb)",
            (name, json.dumps(i), json.dumps({"queue": queue})),
        ).fetchall()[0][0]
        for i in range(n)
    ]


def claim(conn: psycopg.Connection[Any], worker: str, limit: int = 1) -> list[Any]:
    rows = conn.execute(
        "select workflow_id from pgqrs.claim(%s, gen_random_uuid(), %s)", (worker, limit)
    ).fetchall()
    return [row[0] for row in rows]


def notifications(conn: psycopg.Connection[Any], within: float) -> list[str]:
    deadline = time.monotonic() + within
    seen = []
    while time.monotonic() < deadline:
        for note in conn.notifies(timeout=0.05, stop_after=1):
            seen.append(note.payload)
    return seen


def leased(conn: psycopg.Connection[Any], worker: str, limit: int) -> list[tuple[Any, ...]]:
    """A claim's (workflow_id, token) rows: what complete_workflow takes."""
    return conn.execute(
        "select workflow_id, token from pgqrs.claim(%s, gen_random_uuid(), %s)", (worker, limit)
    ).fetchall()


def limited(
    conn: psycopg.Connection[Any], queue: str, settings: str, workers: list[str], n: int
) -> list[Any]:
    """A queue with these settings (JSON), these workers registered, n workflows queued in it."""
    conn.execute("select pgqrs.set_queue(%s, %s::jsonb)", (queue, settings))
    for worker in workers:
        conn.execute("select pgqrs.register_worker(%s, array['wf'])", (worker,))
    return enqueue(conn, queue, n)


def test_a_claim_that_cannot_start_anything_leaves_the_head_of_the_queue(
    conns: list[psycopg.Connection[Any]],
) -> None:
    a, b, _ = conns
    a.execute("""select pgqrs.set_queue('q-head', '{"concurrency": 1}')""")
    for worker in ("head-a", "head-b"):
        a.execute("select pgqrs.register_worker(%s, array['wf'])", (worker,))
    first, second, third = enqueue(a, "q-head", 3)
    running = claim(a, "head-a")
    assert running == [first]
    token = a.execute("select lease_token from pgqrs.workflows where id = %s", (first,)).fetchone()

    # Worker a finishes its run and claims for its slot in the same transaction (as a worker
    # does); worker b, meanwhile, claims in a transaction that is still open.
    a.execute("begin")
    a.execute("select pgqrs.complete_workflow(%s, %s, '1')", (first, token[0] if token else None))
    b.execute("begin")
    assert claim(b, "head-b") == []  # the slot is a's: b can start nothing
    # b must not hold the head of the queue meanwhile: a takes it, not the one behind it.
    assert claim(a, "head-a") == [second]
    a.execute("commit")
    b.execute("commit")
    assert third not in claim(b, "head-b")


def test_capacity_wakes_claimers_and_a_claim_without_a_permit_wakes_none(
    conns: list[psycopg.Connection[Any]],
) -> None:
    db, _, listener = conns
    settings = '{"concurrency": 2, "rate_limit": 2, "rate_period_seconds": 3600}'
    limited(db, "q-wake", settings, ["wake-a"], 4)
    claimed = leased(db, "wake-a", 5)
    assert len(claimed) == 2  # both permits and both slots: the queue is full
    listener.execute("listen pgqrs_work")
    # A claim that finds no permit takes nothing and wakes no one (each such claim used to free
    # the slot it had taken with NOTIFY '*', waking every idle worker to claim and fail again).
    for _ in range(3):
        assert claim(db, "wake-a", 5) == []
    assert notifications(listener, 0.3) == []
    # The run that ends frees its slot while a worker waits for one (its last claim found the
    # queue full) and work waits: idle workers are told.
    db.execute("select pgqrs.complete_workflow(%s, %s, '1')", claimed[0])
    assert "*" in notifications(listener, 1.0)


def test_a_limit_that_does_not_bind_sends_no_notify_per_run(
    conns: list[psycopg.Connection[Any]],
) -> None:
    """No worker waits for a slot (no claim found the queue full), so a run that ends sends
    nothing, though work waits: a NOTIFY holds a database-wide lock through its commit."""
    db, _, listener = conns
    limited(db, "q-loose", '{"concurrency": 100}', ["loose-a"], 3)
    claimed = leased(db, "loose-a", 1)
    listener.execute("listen pgqrs_work")
    db.execute("select pgqrs.complete_workflow(%s, %s, '1')", claimed[0])
    assert notifications(listener, 0.3) == []


def test_a_slot_freed_unseen_by_its_run_is_found_by_next_claim_at(
    conns: list[psycopg.Connection[Any]],
) -> None:
    """The run that frees a slot reads the waiting workers before a claim that found the queue
    full commits (so it sends no NOTIFY); that worker's next_claim_at, which it calls before it
    sleeps, says: look again in 20 ms while the run is ending, now once it has ended."""
    ending, claimer, listener = conns
    first, second = limited(ending, "q-unseen", '{"concurrency": 1}', ["unseen-a", "unseen-b"], 2)
    held = leased(ending, "unseen-a", 1)
    assert [row[0] for row in held] == [first]
    listener.execute("listen pgqrs_work")

    # b's clock stands still (a second ahead: a's lease, 30 s, is still live), so that its
    # answers can be compared exactly.
    at = claimer.execute("select clock_timestamp() + interval '1 second'").fetchone()
    assert at is not None
    claimer.execute("select set_config('pgqrs.fake_now', %s, false)", (at[0].isoformat(),))

    ending.execute("begin")
    ending.execute("select pgqrs.complete_workflow(%s, %s, '1')", held[0])  # not committed
    assert claim(claimer, "unseen-b", 1) == []  # full, as far as b can see: b waits
    wait = "select pgqrs.next_claim_at('unseen-b')"
    assert claimer.execute(wait).fetchone() == (at[0] + timedelta(milliseconds=20),)
    ending.execute("commit")
    assert notifications(listener, 0.3) == []  # the run saw no one waiting
    now = claimer.execute(wait).fetchone()  # now (or the waiting workflow's own earlier time)
    assert now is not None and now[0] <= at[0]
    assert claim(claimer, "unseen-b", 1) == [second]


def test_a_run_that_ends_while_a_worker_looks_notifies(
    conns: list[psycopg.Connection[Any]],
) -> None:
    """While a worker holds the queue's wake-up lock (in next_claim_at), a run that frees a slot
    cannot know whether that worker saw it, so it notifies, waiters or not."""
    db, looker, listener = conns
    limited(db, "q-look", '{"concurrency": 5}', ["look-a"], 3)
    claimed = leased(db, "look-a", 1)
    listener.execute("listen pgqrs_work")
    looker.execute("select pg_advisory_lock(1885827442, hashtext('q-look'))")
    try:
        db.execute("select pgqrs.complete_workflow(%s, %s, '1')", claimed[0])
        assert "*" in notifications(listener, 1.0)
    finally:
        looker.execute("select pg_advisory_unlock(1885827442, hashtext('q-look'))")
