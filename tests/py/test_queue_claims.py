"""Queue claims that race, interleaved by hand on two connections (one transaction each), and
what they send on pgqrs_work: orders a single session (pgTAP) cannot produce."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
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
    db.execute(
        """select pgqrs.set_queue('q-wake', '{"concurrency": 2, "rate_limit": 1,
                                              "rate_period_seconds": 3600}')"""
    )
    db.execute("select pgqrs.register_worker('wake-a', array['wf'])")
    enqueue(db, "q-wake", 3)
    claimed = db.execute(
        "select workflow_id, token from pgqrs.claim('wake-a', gen_random_uuid(), 5)"
    ).fetchall()
    assert len(claimed) == 1  # the only permit
    listener.execute("listen pgqrs_work")
    # A claim that finds no permit takes nothing and wakes no one (each such claim used to free
    # the slot it had taken with NOTIFY '*', waking every idle worker to claim and fail again).
    for _ in range(3):
        assert claim(db, "wake-a", 5) == []
    assert notifications(listener, 0.3) == []
    # The run that ends frees its slot while work waits: idle workers are told.
    db.execute("select pgqrs.complete_workflow(%s, %s, '1')", claimed[0])
    assert "*" in notifications(listener, 1.0)
