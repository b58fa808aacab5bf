"""Queue limits with real worker processes racing (tests/py/worker_proc.py).

The queues are set and the workflows started through SQL (``pgqrs.set_queue``,
``pgqrs.submit_workflow``, ``pgqrs.start_workflows``): a worker claims through ``pgqrs.claim``
whatever queue a workflow is in. What the limits allow is measured from outside pgqrs: every
step body of the workflows in tests/py/worker_flows.py records when it started and ended
(``clock_timestamp()``, each in its own transaction) in the plain table ``effects``, and the
tests compute from those intervals how many ran at once, per queue and per key, and how many
started in every window of a rate limit's period.

Rate limits are checked in real time with the period scaled down to seconds (the pgqrs clock
of a worker's sessions cannot be moved while they run: ``pgqrs.fake_now`` is read per session,
and a worker keeps its connections). The same rule over a minute of fake time, with every
window checked exactly, is the pgTAP test
claim/rate_limit_holds_in_every_window_over_a_minute_of_fake_time.

Nothing sleeps to wait for state: every wait polls with a deadline.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
import worker_flows
from helpers import poll
from test_worker_faults import Db, WorkerProc, Workers, open_gate


@pytest.fixture
def workers(dsn: str, tmp_path: Path) -> Iterator[Workers]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(worker_flows.EFFECTS_DDL)
    manager = Workers(dsn, tmp_path)
    try:
        yield manager
    finally:
        print(manager.logs())  # shown by pytest when the test failed
        manager.close()


def start_all(workers: Workers, count: int, **options: Any) -> list[WorkerProc]:
    """``count`` worker processes w0, w1, ..., started together, once all have registered."""
    procs = [workers.start(f"w{i}", wait=False, **options) for i in range(count)]
    for proc in procs:
        workers.wait_registered(proc)
    return procs


def set_queue(db: Db, queue: str, settings: dict[str, Any]) -> None:
    db.rows("select pgqrs.set_queue(%s, %s::jsonb)", (queue, json.dumps(settings)))


def chains(
    db: Db, count: int, options: dict[str, Any], pause: float = 0.1, base: int = 0
) -> list[UUID]:
    """``count`` one-step chain workflows (each step pauses ``pause`` s), started in one call."""
    inputs = [{"n": 1, "base": base + i, "pauses": [pause]} for i in range(count)]
    rows = db.rows(
        "select workflow_id from pgqrs.start_workflows('chain', %s::jsonb, null, %s::jsonb)"
        " order by item",
        (json.dumps(inputs), json.dumps(options)),
    )
    return [row[0] for row in rows]


def wait_done(db: Db, ids: list[UUID], workers: Workers, timeout: float = 60.0) -> None:
    poll(
        lambda: db.finished(ids) == len(ids),
        timeout=timeout,
        what=f"{len(ids)} workflows to finish\n{workers.logs()}",
    )
    assert db.value(
        "select count(*) from pgqrs.workflows where id = any(%s) and status = 'SUCCESS'", (ids,)
    ) == len(ids)


def spans(db: Db, ids: list[UUID]) -> list[tuple[datetime, datetime, str | None]]:
    """(started, ended, concurrency key) of every step body of these workflows."""
    rows = db.rows(
        "select e.started_at, e.ended_at, w.concurrency_key from effects e"
        " join pgqrs.workflows w on w.id = e.workflow_id where e.workflow_id = any(%s)",
        (ids,),
    )
    assert all(ended is not None for _, ended, _ in rows), rows
    return [(started, ended, key) for started, ended, key in rows]


def peak(intervals: Iterable[tuple[datetime, datetime]]) -> int:
    """The most intervals open at one instant (one that ends as another starts: not both)."""
    intervals = list(intervals)
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    running = top = 0
    for _, delta in events:
        running += delta
        top = max(top, running)
    return top


def busiest_window(starts: list[datetime], period: timedelta) -> int:
    """The most starts in any window [t, t + period)."""
    starts = sorted(starts)
    top = j = 0
    for i, at in enumerate(starts):
        while starts[j] <= at - period:
            j += 1
        top = max(top, i - j + 1)
    return top


# --- concurrency limits ---------------------------------------------------------------------


def test_eight_workers_never_exceed_the_queue_and_key_limits(workers: Workers) -> None:
    db = workers.db
    set_queue(db, "q-global", {"concurrency": 3})
    set_queue(db, "q-keys", {"key_concurrency": 2})
    procs = start_all(workers, 8, concurrency=4)
    global_ids = chains(db, 36, {"queue": "q-global"}, pause=0.1)
    keyed_ids = [
        wf
        for key in ("t1", "t2", "t3")
        for wf in chains(db, 12, {"queue": "q-keys", "concurrency_key": key}, pause=0.1)
    ]
    wait_done(db, global_ids + keyed_ids, workers)

    global_spans = spans(db, global_ids)
    assert len(global_spans) == 36
    # Never more than 3 at once; and the limit was reached (the test could have failed).
    assert peak((s, e) for s, e, _ in global_spans) == 3
    by_key: dict[str | None, list[tuple[datetime, datetime]]] = defaultdict(list)
    for started, ended, key in spans(db, keyed_ids):
        by_key[key].append((started, ended))
    assert {key: len(runs) for key, runs in by_key.items()} == {"t1": 12, "t2": 12, "t3": 12}
    assert {key: peak(runs) for key, runs in by_key.items()} == {"t1": 2, "t2": 2, "t3": 2}
    # The work was spread over the workers: they raced for it.
    ran_on = db.rows(
        "select count(distinct worker) from effects where workflow_id = any(%s)",
        (global_ids + keyed_ids,),
    )
    assert ran_on[0][0] >= 4
    for proc in procs:
        proc.term()
    assert [proc.wait() for proc in procs] == [0] * len(procs)


def test_a_slot_freed_wakes_a_worker_that_waits_for_it(workers: Workers) -> None:
    """A worker whose claim found the queue full sleeps, and the run that frees the slot wakes
    it: the run sees it waiting (pgqrs.queue_waiters) and sends NOTIFY pgqrs_work '*'. The worker
    that freed the slot serves another name, so it cannot take the waiting workflow itself with
    its outcome, as a worker does for work of its own names."""
    db = workers.db
    set_queue(db, "q-waiter", {"concurrency": 1})
    workers.start("holder", poll=60.0, extra=("--serve", "slow"))
    workers.start("waiter", poll=60.0, extra=("--serve", "hello"))
    held = db.value(
        "select workflow_id from pgqrs.submit_workflow('slow', %s::jsonb, %s::jsonb)",
        (json.dumps("gate-waiter"), json.dumps({"queue": "q-waiter"})),
    )
    poll(lambda: db.value("select lease_owner from pgqrs.workflows where id = %s", (held,)))
    waiting = db.value(
        "select workflow_id from pgqrs.submit_workflow('hello', %s::jsonb, %s::jsonb)",
        (json.dumps("you"), json.dumps({"queue": "q-waiter"})),
    )
    # The waiter claimed it, found the queue full, registered and went to sleep.
    poll(
        lambda: (
            ("waiter",)
            in db.rows("select worker from pgqrs.queue_waiters where queue = 'q-waiter'")
        ),
        what=f"the waiter to find the queue full\n{workers.logs()}",
    )
    assert db.finished([waiting]) == 0
    with psycopg.connect(workers.dsn, autocommit=True) as listener:
        listener.execute("listen pgqrs_work")
        open_gate(db, "gate-waiter")
        poll(
            lambda: db.finished([held, waiting]) == 2,
            what=f"the waiting workflow to run\n{workers.logs()}",
        )
        # The end of 'slow' freed the slot and told the idle workers (a worker also claims
        # every 10 s as it beats its heartbeat: that alone would have run it too, later).
        heard = [n.payload for n in listener.notifies(timeout=0.5)]
    assert "*" in heard
    assert db.value("select output from pgqrs.workflows where id = %s", (waiting,)) == "hello you"


def test_a_worker_killed_holding_slots_gives_them_back_after_its_lease(workers: Workers) -> None:
    db = workers.db
    set_queue(db, "q-crash", {"concurrency": 2})
    doomed = workers.start("doomed", concurrency=2, lease=2.0)
    held = [
        db.value(
            "select workflow_id from pgqrs.submit_workflow('slow', %s::jsonb, %s::jsonb)",
            (json.dumps(f"gate-{i}"), json.dumps({"queue": "q-crash"})),
        )
        for i in range(2)
    ]
    poll(
        lambda: db.value("select count(*) from effects where step = 'hold'") == 2,
        what="both slow workflows to hold",
    )
    doomed.kill()
    killed_at = db.value("select clock_timestamp()")
    for i in range(2):
        db.rows("insert into gates values (%s)", (f"gate-{i}",))
    more = chains(db, 6, {"queue": "q-crash"}, pause=0.1)
    survivor = workers.start("survivor", concurrency=4, lease=2.0)
    wait_done(db, held + more, workers)

    # The slots came back once the dead holder's lease expired, and the limit held throughout:
    # a step body cut short by the kill counts as running until the kill.
    rows = db.rows(
        "select started_at, coalesce(ended_at, %s), worker from effects"
        " where workflow_id = any(%s)",
        (killed_at, held + more),
    )
    assert peak((s, e) for s, e, _ in rows) == 2
    recovered = db.value(
        "select count(*) from pgqrs.workflows where id = any(%s) and recoveries = 1", (held,)
    )
    assert recovered == 2
    first_after = min(s for s, _, w in rows if w == "survivor")
    assert first_after >= killed_at
    survivor.term()
    assert survivor.wait() == 0


# --- rate limits ------------------------------------------------------------------------------


def check_rate(workers: Workers, limit: int, period: float, duration: float) -> None:
    """Four workers, a queue limited to ``limit`` starts per ``period`` seconds and more work
    than it lets through, one-step workflows whose step records its start (``tick``): count the
    starts over ``duration`` seconds.

    A permit is stamped with the time the claim that takes it began; the step body records its
    start after that claim commits and the worker spawns the run, a delay that varies by tens of
    milliseconds, and that a worker's claim of several workflows gives all of them at once. So
    the starts come in batches a period apart, each spread over that delay (up to a few hundred
    milliseconds on a loaded machine): the count is taken over a span that begins and ends
    between batches (half a period off) and must be within 10% of ``limit`` per period, and any
    window of 90% of a period must hold at most 10% more than ``limit`` (the exact rule, without
    the delay, is the pgTAP test over fake time)."""
    db = workers.db
    set_queue(db, "q-rate", {"rate_limit": limit, "rate_period_seconds": period})
    windows = round(duration / period)
    ids = [
        row[0]
        for row in db.rows(
            "select workflow_id from pgqrs.start_workflows('tick', %s::jsonb, null, %s::jsonb)",
            (json.dumps(list(range(limit * (windows + 3)))), json.dumps({"queue": "q-rate"})),
        )
    ]
    start_all(workers, 4, concurrency=4)
    first = poll(
        lambda: db.value("select min(started_at) from effects where workflow_id = any(%s)", (ids,)),
        what="the first start",
    )
    half = timedelta(seconds=period / 2)
    end = first + timedelta(seconds=duration) - half
    poll(
        lambda: db.value("select clock_timestamp()") > end + half,
        timeout=duration + 30,
        what="the measured span to pass",
        every=0.1,
    )
    starts = [
        row[0]
        for row in db.rows(
            "select started_at from effects where workflow_id = any(%s) and started_at < %s",
            (ids, end + half),
        )
    ]
    counted = [at for at in starts if first - half <= at < end]
    expected = limit * windows
    assert abs(len(counted) - expected) <= expected * 0.1, (len(counted), expected)
    offsets = sorted(round((at - first).total_seconds(), 3) for at in starts)
    assert busiest_window(starts, timedelta(seconds=period * 0.9)) <= limit * 1.1, offsets


def test_the_rate_limit_holds_with_four_workers(workers: Workers) -> None:
    check_rate(workers, limit=20, period=2.0, duration=6.0)


@pytest.mark.slow
def test_the_rate_limit_holds_over_a_minute(workers: Workers) -> None:
    check_rate(workers, limit=20, period=5.0, duration=60.0)


# --- order and fairness -----------------------------------------------------------------------


def start_order(db: Db, ids: list[UUID]) -> list[UUID]:
    rows = db.rows(
        "select workflow_id from effects where workflow_id = any(%s) order by started_at", (ids,)
    )
    return [row[0] for row in rows]


def test_priorities_run_highest_first_then_fifo(workers: Workers) -> None:
    db = workers.db
    set_queue(db, "q-prio", {"concurrency": 1})
    priorities = [0, 5, -3, 5, 0, 1000, -1000, 5]
    ids = [
        db.value(
            "select workflow_id from pgqrs.submit_workflow('chain', %s::jsonb, %s::jsonb)",
            (
                json.dumps({"n": 1, "base": i, "pauses": [0.0]}),
                json.dumps({"queue": "q-prio", "priority": p}),
            ),
        )
        for i, p in enumerate(priorities)
    ]
    start_all(workers, 4, concurrency=2)
    wait_done(db, ids, workers)
    expected = [ids[i] for i in sorted(range(len(ids)), key=lambda i: (-priorities[i], i))]
    got = start_order(db, ids)
    assert [ids.index(wf) for wf in got] == [ids.index(wf) for wf in expected], db.rows(
        "select e.workflow_id, w.priority, w.available_at, e.worker, e.started_at, e.ended_at"
        " from effects e join pgqrs.workflows w on w.id = e.workflow_id order by e.started_at"
    )


def test_a_busy_key_does_not_starve_the_others(workers: Workers) -> None:
    db = workers.db
    set_queue(db, "q-fair", {"concurrency": 2, "key_concurrency": 2})
    busy = chains(db, 100, {"queue": "q-fair", "concurrency_key": "A"}, pause=0.0)
    others = {
        key: chains(db, 5, {"queue": "q-fair", "concurrency_key": key}, pause=0.0) for key in "BCDE"
    }
    start_all(workers, 4, concurrency=2)
    every = busy + [wf for ids in others.values() for wf in ids]
    wait_done(db, every, workers, timeout=120)
    order = start_order(db, every)
    thirtieth_of_a = [wf for wf in order if wf in set(busy)][29]
    a30 = db.value("select started_at from effects where workflow_id = %s", (thirtieth_of_a,))
    last_other = db.value(
        "select max(ended_at) from effects where workflow_id = any(%s)",
        ([wf for ids in others.values() for wf in ids],),
    )
    # B..E (queued after A's 100) all finished before A's 30th started.
    assert last_other < a30, (last_other, a30)


# --- debounce ---------------------------------------------------------------------------------


def test_a_burst_of_debounced_starts_runs_once_with_the_latest_input(
    workers: Workers, dsn: str
) -> None:
    db = workers.db
    start_all(workers, 2, concurrency=4)
    options = json.dumps({"debounce_key": "doc-1", "debounce_seconds": 2})
    submit = "select workflow_id, created from pgqrs.submit_workflow('hello', %s::jsonb, %s::jsonb)"

    # Eight connections start the same debounced workflow at once, 20 times each.
    def burst(n: int) -> list[tuple[Any, ...]]:
        with psycopg.connect(dsn, autocommit=True) as conn:
            return [
                conn.execute(submit, (json.dumps(f"racer-{n}-{i}"), options)).fetchall()[0]
                for i in range(20)
            ]

    results: list[list[tuple[Any, ...]]] = []
    threads = [threading.Thread(target=lambda n=n: results.append(burst(n))) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # One more, last: its input is the one that runs.
    last = db.rows(submit, (json.dumps("the latest"), options))[0]
    rows = [row for batch in results for row in batch] + [last]
    assert len(rows) == 161
    ids = {row[0] for row in rows}
    assert ids == {last[0]}, ids
    assert sum(1 for _, created in rows if created) == 1
    wait_done(db, [last[0]], workers)
    assert db.rows("select step, count(*) from effects group by step") == [("greet", 1)]
    output = db.value("select output from pgqrs.workflows where id = %s", (last[0],))
    assert output == "hello the latest"
    # A start after it ran is a new burst: it runs again.
    again = db.rows(submit, (json.dumps("again"), options))[0]
    assert again[1] and again[0] != last[0]
    wait_done(db, [again[0]], workers)
    assert db.value("select count(*) from effects") == 2
