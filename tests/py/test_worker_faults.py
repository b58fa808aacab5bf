"""Workers under real faults: real worker processes (tests/py/worker_proc.py), real kill -9, a
real ``pg_ctl restart -m immediate``, terminated backends, graceful SIGTERM, crash loops, names
no worker serves, and a transaction-pooling PgBouncer in between.

The workflows (tests/py/worker_flows.py) record every run of a step body in the table
``effects``, outside pgqrs, with the fencing token of the run, so the tests check from outside
what really ran. The central invariant (as in test_soak.py): for every step, every recorded
side-effect token is <= the token that committed its success (no step body ran after its success
committed), and exactly one effect per step carries that success token.

Nothing here sleeps to wait for state: every wait polls with a deadline. Leases are short where a
takeover must happen by expiry, and long (300 s) where only a release may explain a takeover.
"""

from __future__ import annotations

import itertools
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
import worker_flows
from helpers import HERE, poll
from psycopg.conninfo import conninfo_to_dict, make_conninfo

import pgqrs
from pgqrs.testing import Server

# Each worker process connects with application_name = "worker:<name>" (PGAPPNAME), so a test
# can find (and terminate) exactly its backends.
APP_PREFIX = "worker:"


class Db:
    """One autocommit connection for the test's own queries; reconnects after a server restart
    or a terminated backend (retrying for up to 60 s)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._conn: psycopg.Connection[Any] | None = None

    def rows(self, query: str, params: Any = ()) -> list[tuple[Any, ...]]:
        deadline = time.monotonic() + 60
        while True:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=5)
                cur = self._conn.execute(query, params)
                return cur.fetchall() if cur.description else []
            except psycopg.OperationalError:
                self.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def value(self, query: str, params: Any = ()) -> Any:
        return self.rows(query, params)[0][0]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- what the tests ask --------------------------------------------------------------------

    def effect_count(self) -> int:
        return int(self.value("select count(*) from effects"))

    # What the tests read of pgqrs goes through the API, so that they run through a proxy too.

    def finished(self, ids: list[UUID]) -> int:
        return int(
            self.value(
                "select count(*) from pg_catalog.unnest(%s::uuid[]) i (id),"
                " pgqrs.get_workflow(i.id) w where w.status in ('SUCCESS', 'FAILED', 'DEAD')",
                (ids,),
            )
        )

    def steps(self, ids: list[UUID], status: str | None = None) -> list[tuple[Any, ...]]:
        """(workflow id, step key, status, token) of the steps of those workflows."""
        return self.rows(
            "select i.id, s.step_key, s.status, s.lease_token"
            " from pg_catalog.unnest(%s::uuid[]) i (id), pgqrs.list_steps(i.id) s"
            " where %s::text is null or s.status = %s",
            (ids, status, status),
        )

    def effects(self, workflow_id: UUID, step: str | None = None) -> list[tuple[str, int]]:
        """(worker, token) of each run of the workflow's steps (or of one step), in order."""
        return [
            (w, t)
            for w, t in self.rows(
                "select worker, token from effects where workflow_id = %s"
                " and (%s::text is null or step = %s) order by id",
                (workflow_id, step, step),
            )
        ]

    def listeners(self, worker: str) -> int:
        """How many backends of this worker process are LISTENing for work (on any database:
        through a proxy, on each shard)."""
        return int(
            self.value(
                "select count(*) from pg_stat_activity"
                " where application_name = %s and query = 'LISTEN pgqrs_work'",
                (APP_PREFIX + worker,),
            )
        )


class WorkerProc:
    """One worker process (tests/py/worker_proc.py), logging to a file."""

    def __init__(self, name: str, args: list[str], log: Path) -> None:
        self.name = name
        self.log = log
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PGAPPNAME": APP_PREFIX + name}
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, str(HERE / "worker_proc.py"), *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """kill -9, and reap."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        assert self.proc.returncode == -signal.SIGKILL

    def term(self) -> None:
        os.kill(self.proc.pid, signal.SIGTERM)

    def wait(self, timeout: float = 60.0) -> int:
        return self.proc.wait(timeout=timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Workers:
    """Starts worker processes for one test and makes sure none outlives it."""

    def __init__(self, dsn: str, logdir: Path) -> None:
        self.dsn = dsn
        self.logdir = logdir
        self.db = Db(dsn)
        self.started: list[WorkerProc] = []

    def start(
        self,
        name: str,
        *,
        concurrency: int = 4,
        lease: float = 30.0,
        grace: float = 30.0,
        poll: float = 5.0,
        listen: bool = True,
        dsn: str | None = None,
        extra: tuple[str, ...] = (),
        wait: bool = True,
    ) -> WorkerProc:
        args = [
            dsn or self.dsn,
            name,
            f"--concurrency={concurrency}",
            f"--lease={lease}",
            f"--grace={grace}",
            f"--poll={poll}",
            f"--listen={'on' if listen else 'off'}",
            f"--effects-dsn={self.dsn}",
            *extra,
        ]
        worker = WorkerProc(name, args, self.logdir / f"{name}.log")
        self.started.append(worker)
        if wait:
            self.wait_registered(worker)
        return worker

    def wait_registered(self, worker: WorkerProc) -> None:
        """Until this process (its pid) has registered under its name."""

        def registered() -> bool:
            assert worker.alive(), f"worker {worker.name} exited:\n{worker.output()}"
            return bool(
                self.db.rows(
                    "select 1 from pgqrs.list_workers() where name = %s and pid = %s"
                    " and stopped_at is null",
                    (worker.name, worker.pid),
                )
            )

        poll(registered, timeout=30, what=f"worker {worker.name} to register")

    def logs(self) -> str:
        return "\n".join(
            f"--- {w.name} (pid {w.pid}) ---\n{w.output()[-6000:]}" for w in self.started
        )

    def close(self) -> None:
        for worker in self.started:
            if worker.alive():
                worker.kill()
        self.db.close()


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


@pytest.fixture
def admin(dsn: str) -> Iterator[pgqrs.SyncAdmin]:
    with pgqrs.connect_sync(dsn) as store:
        yield pgqrs.admin(store)


def chain_spec(rng: random.Random, base: int, n: int, pause: tuple[float, float]) -> dict[str, Any]:
    return {"n": n, "base": base, "pauses": [round(rng.uniform(*pause), 3) for _ in range(n)]}


def start_chains(
    admin: pgqrs.SyncAdmin,
    rng: random.Random,
    count: int,
    *,
    n: int,
    pause: tuple[float, float],
    first: int = 0,
    max_recoveries: int | None = None,
) -> dict[UUID, int]:
    """Start ``count`` chains, alternately async (``chain``) and sync (``chain_sync``); returns
    {workflow id: expected output}."""
    expected: dict[UUID, int] = {}
    for k in range(first, first + count):
        spec = chain_spec(rng, 1000 * k, n, pause)
        name = "chain" if k % 2 == 0 else "chain_sync"
        handle = admin.start_workflow(name, spec, max_recoveries=max_recoveries)
        expected[handle.id] = worker_flows.chain_output(spec)
    return expected


def check_results(
    admin: pgqrs.SyncAdmin, expected: dict[Any, Any], workers: Workers, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    for workflow_id, output in expected.items():
        left = max(0.1, deadline - time.monotonic())
        try:
            got = admin.handle(workflow_id).result(timeout=left)
        except pgqrs.PgqrsError as exc:
            raise AssertionError(f"workflow {workflow_id}: {exc}\n{workers.logs()}") from exc
        assert got == output, workflow_id


def check_fencing(db: Db, ids: list[UUID], steps_per_workflow: int | None = None) -> None:
    """The invariant: for every step, every effect token <= its success token, and exactly one
    effect carries the success token. Every step of these workflows is SUCCESS and has run."""
    steps = {(wf, key): (status, token) for wf, key, status, token in db.steps(ids)}
    assert {status for status, _ in steps.values()} == {"SUCCESS"}
    if steps_per_workflow is not None:
        assert len(steps) == steps_per_workflow * len(ids)
    runs: dict[tuple[UUID, str], list[int]] = defaultdict(list)
    for wf, key, token in db.rows(
        "select workflow_id, step, token from effects where workflow_id = any(%s) order by id",
        (ids,),
    ):
        runs[(wf, key)].append(token)
    assert set(runs) == set(steps), "a step ran without a record, or a record has no step"
    for key, tokens in runs.items():
        success = steps[key][1]
        assert max(tokens) <= success, (key, tokens, success)  # nothing ran after the success
        assert tokens.count(success) == 1, (key, tokens, success)  # the winner ran once


def wait_effects(db: Db, target: int, ids: list[UUID], what: str) -> bool:
    """Until ``target`` effects exist or every workflow of ``ids`` finished; True if the
    former."""
    poll(
        lambda: db.effect_count() >= target or db.finished(ids) == len(ids),
        timeout=90,
        what=what,
        every=0.01,
    )
    return db.finished(ids) < len(ids)


# --- 1. random kill -9 with a second worker ---------------------------------------------------


def random_kills(workers: Workers, admin: pgqrs.SyncAdmin, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    db = workers.db
    concurrency, steps = 3, 5
    opts: dict[str, Any] = {"concurrency": concurrency, "lease": 2.0, "poll": 1.0}
    slots = {"a": workers.start("a", **opts), "b": workers.start("b", **opts)}
    # More work is started whenever fewer than `low` workflows are unfinished, until every kill
    # is done, so that each kill hits a worker with work in hand.
    low = 4 * concurrency
    expected = start_chains(admin, rng, 2 * low, n=steps, pause=(0.02, 0.12), max_recoveries=1000)
    killed = generation = 0
    while killed < kills:
        ids = list(expected)
        unfinished = len(ids) - db.finished(ids)
        if unfinished < low:
            expected |= start_chains(
                admin,
                rng,
                low,
                n=steps,
                pause=(0.02, 0.12),
                first=len(expected),
                max_recoveries=1000,
            )
            ids = list(expected)
        slot = rng.choice(sorted(slots))
        # Kill after a random number of further step bodies started: inside a step, between
        # steps or right after a success committed, as the timing falls.
        target = db.effect_count() + rng.randint(1, 2 * concurrency)
        wait_effects(db, target, ids, "the workers to make progress")
        time.sleep(rng.uniform(0, 0.05))  # jitter of the kill point, not a wait for state
        victim = slots[slot]
        victim.kill()
        killed += 1
        generation += 1
        # Half the time the same name (its leases are released at once when it registers
        # again), otherwise a new one (the dead worker's leases must expire first).
        name = victim.name if rng.random() < 0.5 else f"{slot}{generation}"
        slots[slot] = workers.start(name, **opts)
    ids = list(expected)
    check_results(admin, expected, workers, timeout=180)
    check_fencing(db, ids, steps_per_workflow=steps)
    recovered = db.value(
        "select sum(w.recoveries) from pg_catalog.unnest(%s::uuid[]) i (id),"
        " pgqrs.get_workflow(i.id) w",
        (ids,),
    )
    assert recovered > 0, "no kill ever interrupted a workflow"
    assert all(w.alive() for w in slots.values())


@pytest.mark.parametrize(
    "kills",
    [pytest.param(4, id="short"), pytest.param(50, id="long", marks=pytest.mark.slow)],
)
def test_random_kills_with_a_second_worker(
    workers: Workers, admin: pgqrs.SyncAdmin, kills: int
) -> None:
    seed = int(os.environ.get("PGQRS_SOAK_SEED", "20261125"))
    random_kills(workers, admin, kills, seed)


# --- 2. PostgreSQL restarts under the workers ------------------------------------------------


def test_postgres_restart_mid_batch(
    restartable_server: Server, workers: Workers, admin: pgqrs.SyncAdmin
) -> None:
    rng = random.Random(2)
    db = workers.db
    # poll=30: after the restart, only a re-established LISTEN can wake an idle worker quickly.
    opts: dict[str, Any] = {"concurrency": 3, "lease": 3.0, "poll": 30.0}
    a, b = workers.start("a", **opts), workers.start("b", **opts)
    expected = start_chains(admin, rng, 16, n=5, pause=(0.03, 0.1), max_recoveries=1000)
    ids = list(expected)
    assert wait_effects(db, 15, ids, "the batch to be under way"), "the batch ended too soon"
    committed = [(wf, key, token) for wf, key, _, token in db.steps(ids, "SUCCESS")]
    assert committed
    restartable_server.restart(mode="immediate")
    check_results(admin, expected, workers, timeout=120)
    check_fencing(db, ids, steps_per_workflow=5)
    # No committed step was lost: each is still SUCCESS under the same token, and never ran again.
    for workflow_id, key, token in committed:
        row = [(s, t) for _, k, s, t in db.steps([workflow_id]) if k == key]
        assert row == [("SUCCESS", token)], (workflow_id, key)
        later_runs = db.value(
            "select count(*) from effects where workflow_id = %s and step = %s and token > %s",
            (workflow_id, key, token),
        )
        assert later_runs == 0, (workflow_id, key)
    assert a.alive() and b.alive(), workers.logs()
    poll(lambda: db.listeners("a") and db.listeners("b"), timeout=30, what="LISTEN again")
    assert admin.start_workflow("hello", "again").result(timeout=5) == "hello again"
    a.term()
    b.term()
    assert (a.wait(), b.wait()) == (0, 0)


# --- 3. many workers, no faults: each step ran once, on one worker, within its concurrency ----


def test_many_workers(workers: Workers, admin: pgqrs.SyncAdmin) -> None:
    rng = random.Random(3)
    db = workers.db
    names, concurrency, steps = ["w1", "w2", "w3", "w4"], 2, 3
    procs = [workers.start(name, concurrency=concurrency) for name in names]
    expected = start_chains(admin, rng, 40, n=steps, pause=(0.08, 0.12))
    ids = list(expected)
    check_results(admin, expected, workers)
    check_fencing(db, ids, steps_per_workflow=steps)
    effects = db.rows(
        "select workflow_id, step, token, worker, started_at, ended_at from effects"
        " where workflow_id = any(%s) order by started_at",
        (ids,),
    )
    assert len(effects) == len(ids) * steps  # no faults: every step body ran exactly once
    by_workflow: dict[UUID, list[tuple[Any, ...]]] = defaultdict(list)
    by_worker: dict[str, list[tuple[Any, Any]]] = defaultdict(list)
    for wf, step, token, worker, started, ended in effects:
        assert ended is not None, (wf, step)
        by_workflow[wf].append((step, token, worker, started, ended))
        by_worker[worker].append((started, ended))
    info = {w.id: w for w in admin.list_workflows(limit=1000)}
    for wf, runs in by_workflow.items():
        # Claimed once, by one worker, never recovered; its steps ran one after the other.
        assert {(token, worker) for _, token, worker, _, _ in runs} == {runs[0][1:3]}
        assert info[wf].recoveries == 0
        assert [s for s, *_ in runs] == [worker_flows.chain_key(i) for i in range(steps)]
        for prev, nxt in itertools.pairwise(runs):
            assert prev[4] <= nxt[3], (wf, prev, nxt)
    # The work was spread over every worker, and none ran more than `concurrency` at once.
    assert set(by_worker) == set(names)
    for worker, spans in by_worker.items():
        events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
        running = peak = 0
        for _, delta in events:
            running += delta
            peak = max(peak, running)
        assert peak <= concurrency, (worker, peak)
    for proc in procs:
        proc.term()
    assert [proc.wait() for proc in procs] == [0] * len(procs)


# --- 4. graceful shutdown ----------------------------------------------------------------------


def test_sigterm_releases_after_the_grace_period(workers: Workers, admin: pgqrs.SyncAdmin) -> None:
    db = workers.db
    # Long leases: only the release at shutdown can explain a fast takeover.
    a = workers.start("a", lease=300, grace=1.0)
    handle = admin.start_workflow("slow", "gate-1")
    poll(lambda: db.effects(handle.id), what="worker a to enter the held step")
    b = workers.start("b", lease=300)
    held = handle.info()
    assert held.lease_owner == "a"
    assert held.lease_expires_at is not None
    sent = time.monotonic()
    a.term()
    assert a.wait(timeout=30) == 0, a.output()
    took = time.monotonic() - sent
    assert took >= 1.0, f"worker a exited after {took:.2f}s, before its grace period ended"
    # b resumes the held step at once, long before a's lease would have expired.
    poll(lambda: len(db.effects(handle.id)) == 2, timeout=15, what="worker b to resume")
    open_gate(db, "gate-1")
    assert handle.result(timeout=30) == ["held", "after"]
    (a_run, b_hold, b_after) = db.effects(handle.id)
    assert a_run == ("a", held.lease_token)
    assert b_hold == b_after and b_hold[0] == "b" and b_hold[1] > held.lease_token
    resumed_at = db.value(
        "select started_at from effects where workflow_id = %s and worker = 'b' and step = 'hold'",
        (handle.id,),
    )
    assert resumed_at < held.lease_expires_at
    done = handle.info()
    assert (done.lease_token, done.recoveries) == (b_hold[1], 0)  # a release is no recovery
    hold = {s.key: s for s in admin.list_steps(handle.id)}["hold"]
    assert (hold.status, hold.attempt) == ("SUCCESS", 2)
    b.term()
    assert b.wait() == 0


@pytest.mark.parametrize("flow", ["slow", "slow_sync"])
def test_sigterm_lets_the_running_step_finish(
    workers: Workers, admin: pgqrs.SyncAdmin, flow: str
) -> None:
    db = workers.db
    a = workers.start("a", lease=300, grace=60.0)
    handle = admin.start_workflow(flow, "gate-2")
    poll(lambda: db.effects(handle.id), what="worker a to enter the held step")
    b = workers.start("b", lease=300)
    a.term()
    # Its log says when it has started draining (the gate must stay closed until then).
    poll(lambda: "draining" in a.output(), timeout=15, what="worker a to start draining")
    opened = time.monotonic()
    open_gate(db, "gate-2")
    assert a.wait(timeout=30) == 0, a.output()
    # a left as soon as its step finished, without waiting out its 60 s grace period.
    assert time.monotonic() - opened < 20
    assert handle.result(timeout=30) == ["held", "after"]
    # The step in progress completed on a; a did not start the next step, b did.
    [(a_name, a_token)] = db.effects(handle.id, "hold")
    [(b_name, b_token)] = db.effects(handle.id, "after")
    assert (a_name, b_name) == ("a", "b") and a_token < b_token
    steps = {s.key: (s.status, s.lease_token, s.attempt) for s in admin.list_steps(handle.id)}
    assert steps == {"hold": ("SUCCESS", a_token, 1), "after": ("SUCCESS", b_token, 1)}
    assert handle.info().recoveries == 0
    b.term()
    assert b.wait() == 0


def open_gate(db: Db, name: str) -> None:
    db.rows("insert into gates values (%s) on conflict do nothing", (name,))


def test_sigterm_with_a_sync_step_past_the_grace_period(
    workers: Workers, admin: pgqrs.SyncAdmin
) -> None:
    db = workers.db
    a = workers.start("a", lease=300, grace=1.0, extra=("--retry-timeout=6",))
    handle = admin.start_workflow("slow_sync", "gate-3")
    poll(lambda: db.effects(handle.id), what="worker a to enter the held step")
    b = workers.start("b", lease=300)
    a.term()
    # The lease is released after the grace period and b resumes the step at once, although a
    # cannot interrupt its thread (a plain def step runs to its end).
    poll(lambda: len(db.effects(handle.id)) == 2, timeout=15, what="worker b to resume")
    (a_name, a_token), (b_name, b_token) = db.effects(handle.id)
    assert (a_name, b_name) == ("a", "b") and a_token < b_token
    opened = time.monotonic()
    open_gate(db, "gate-3")
    assert handle.result(timeout=30) == ["held", "after"]
    assert db.effects(handle.id, "after") == [("b", b_token)]
    steps = {s.key: s.lease_token for s in admin.list_steps(handle.id)}
    assert steps == {"hold": b_token, "after": b_token}  # a's late outcome never landed
    # Once its thread's step returns, a exits promptly: its late write fails at once on the
    # closed store (it used to retry PoolClosed for the whole retry_timeout, 6 s here).
    assert a.wait(timeout=30) == 0
    assert time.monotonic() - opened < 3.0, "worker a hung after its last step returned"
    b.term()
    assert b.wait() == 0


# --- 5. crash loop ------------------------------------------------------------------------------


def test_crash_loop_is_capped(workers: Workers, admin: pgqrs.SyncAdmin) -> None:
    db = workers.db
    handle = admin.start_workflow("crash", "fixed", max_recoveries=2)
    # The supervisor: restart the worker under the same name whenever it dies. Registering again
    # releases the dead incarnation's lease at once and counts a recovery.
    deaths = 0
    for _ in range(10):
        # Not waiting for it to register: it may die a few milliseconds after registering.
        worker = workers.start("crashy", lease=300, wait=False)
        poll(
            lambda w=worker: not w.alive() or handle.info().status == "DEAD",
            timeout=30,
            what="the worker to die or the workflow to become DEAD",
        )
        if worker.alive():
            break
        assert worker.proc.returncode == -signal.SIGKILL, worker.output()
        deaths += 1
    assert deaths == 3  # the first run and max_recoveries = 2 recoveries
    runs = db.effects(handle.id)
    assert [w for w, _ in runs] == ["crashy"] * 3
    assert sorted({t for _, t in runs}) == [t for _, t in runs]  # a new token each time
    info = handle.info()
    assert (info.status, info.recoveries, info.lease_owner) == ("DEAD", 3, None)
    assert info.error is not None and info.error["type"] == "pgqrs.CrashLoop"
    with pytest.raises(pgqrs.WorkflowDeadError) as caught:
        handle.result(timeout=10)
    assert caught.value.error_type == "pgqrs.CrashLoop"
    # The worker that declared it DEAD is alive and keeps serving other workflows.
    assert worker.alive()
    assert admin.start_workflow("hello", "survivor").result(timeout=30) == "hello survivor"
    worker.term()
    assert worker.wait() == 0
    # Fix the bug (open the gate), revive: RUNNING with a fresh budget, and it completes.
    open_gate(db, "fixed")
    admin.revive_workflow(handle.id)
    info = handle.info()
    assert (info.status, info.recoveries, info.error, info.lease_owner, info.queued) == (
        "RUNNING",
        0,
        None,
        None,
        True,
    )
    worker = workers.start("crashy", lease=300)
    assert handle.result(timeout=30) == "fixed"
    info = handle.info()
    assert (info.recoveries, info.status) == (0, "SUCCESS")
    runs = db.effects(handle.id)
    assert len(runs) == 4 and runs[-1] == ("crashy", info.lease_token) and runs[-1][1] > runs[-2][1]
    worker.term()
    assert worker.wait() == 0


# --- 6. names no worker serves -------------------------------------------------------------------


def counts(admin: pgqrs.SyncAdmin) -> dict[tuple[str, str], tuple[int, bool]]:
    return {(c.name, c.status): (c.count, c.served) for c in admin.workflow_counts()}


def test_unserved_names_wait(workers: Workers, admin: pgqrs.SyncAdmin) -> None:
    a = workers.start("a", extra=("--serve=hello,chain",))
    # Started before the served one: claims go oldest first, so a worker serving these names
    # would have taken them no later than the hello workflow.
    orphan = admin.start_workflow("late")
    ghost = admin.start_workflow("ghost", {"no": "code"})
    assert admin.start_workflow("hello", "a").result(timeout=30) == "hello a"
    for handle in (orphan, ghost):
        info = handle.info()
        assert (info.status, info.lease_token, info.error) == ("PENDING", 0, None)
    seen = counts(admin)
    assert seen[("late", "PENDING")] == (1, False)
    assert seen[("ghost", "PENDING")] == (1, False)
    assert seen[("hello", "SUCCESS")] == (1, True)
    # A worker that serves `late` comes up: it runs at once. Nobody serves `ghost`.
    b = workers.start("b", extra=("--serve=late",))
    assert orphan.result(timeout=30) == "late ran"
    assert workers.db.effects(orphan.id) == [("b", orphan.info().lease_token)]
    seen = counts(admin)
    assert seen[("late", "SUCCESS")] == (1, True)
    assert seen[("ghost", "PENDING")] == (1, False)
    assert ghost.info().status == "PENDING"
    a.term()
    b.term()
    assert (a.wait(), b.wait()) == (0, 0)


# --- 7. the worker's backends are terminated -----------------------------------------------------


@pytest.mark.no_proxy(reason="terminates the worker's backends on the database of its DSN")
def test_terminated_backends(workers: Workers, admin: pgqrs.SyncAdmin) -> None:
    rng = random.Random(7)
    db = workers.db
    worker = workers.start("w", concurrency=4, lease=30, poll=30)
    expected = start_chains(admin, rng, 16, n=5, pause=(0.03, 0.08))
    ids = list(expected)
    terminated = []
    # Once it LISTENs, that connection is among the ones terminated below.
    poll(lambda: db.listeners("w") == 1, timeout=30, what="the worker to LISTEN")
    for round_ in range(3):
        under_way = wait_effects(db, 12 * (round_ + 1), ids, "the batch to progress")
        assert under_way or round_ > 0, "the batch ended before the first cut"
        terminated.append(
            db.value(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity"
                " where datname = current_database() and application_name = %s",
                (APP_PREFIX + "w",),
            )
        )
    assert terminated[0] >= 2  # at least the pool's connection and the LISTEN connection
    check_results(admin, expected, workers)
    check_fencing(db, ids, steps_per_workflow=5)
    assert worker.alive(), worker.output()
    poll(lambda: db.listeners("w"), timeout=30, what="the worker to LISTEN again")
    assert admin.start_workflow("hello", "back").result(timeout=5) == "hello back"
    worker.term()
    assert worker.wait() == 0


# --- 8. through PgBouncer in transaction pooling mode ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def pgbouncer(pg_server: Server, dsn: str) -> Iterator[str]:
    """A PgBouncer (pool_mode = transaction) in front of the test server; yields the test
    database's DSN through it."""
    binary = shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.access(p, os.X_OK)), None
    )
    if binary is None:
        pytest.skip("pgbouncer is not installed (Debian: apt-get install pgbouncer)")
    params = conninfo_to_dict(dsn)
    user = str(params.get("user") or "postgres")
    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="pgqrs-pgbouncer-"))
    as_user: dict[str, Any] = {}
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        as_user = {"user": "postgres", "group": "postgres", "extra_groups": []}
        shutil.chown(workdir, "postgres", "postgres")
    (workdir / "userlist.txt").write_text(f'"{user}" ""\n')
    ini = workdir / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"* = host={pg_server.host} port={pg_server.port}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {workdir / 'userlist.txt'}\n"
        f"admin_users = {user}\n"
        "pool_mode = transaction\n"
        "max_client_conn = 200\n"
        "default_pool_size = 10\n"
        f"logfile = {workdir / 'pgbouncer.log'}\n"
        f"pidfile = {workdir / 'pgbouncer.pid'}\n"
    )
    proc = subprocess.Popen(
        [binary, str(ini)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=workdir,
        **as_user,
    )
    through = make_conninfo(dsn, host="127.0.0.1", port=str(port))

    def log() -> str:
        path = workdir / "pgbouncer.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def accepts() -> bool:
        assert proc.poll() is None, f"pgbouncer exited ({proc.returncode}):\n{log()}"
        try:
            with psycopg.connect(through, connect_timeout=2, prepare_threshold=None) as conn:
                conn.execute("select 1")
        except psycopg.OperationalError:
            return False
        return True

    try:
        poll(accepts, timeout=30, what="pgbouncer to accept connections")
        yield through
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # safe shutdown
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        print(log())
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.parametrize(
    "mode",
    [
        pytest.param(
            "listen_dsn",
            marks=pytest.mark.no_proxy(reason="a listen DSN given on a proxy hears nothing"),
        ),
        "poll",
    ],
)
def test_through_pgbouncer(pgbouncer: str, dsn: str, workers: Workers, mode: str) -> None:
    rng = random.Random(8)
    if mode == "listen_dsn":  # LISTEN on the server itself, everything else through PgBouncer
        wait_opts: dict[str, Any] = {"listen_dsn": dsn}
        worker = workers.start(
            "pooled", dsn=pgbouncer, extra=("--no-prepare", f"--listen-dsn={dsn}")
        )
    else:  # poll only
        wait_opts = {"listen": False, "poll_interval": 0.2}
        worker = workers.start(
            "pooled", dsn=pgbouncer, listen=False, poll=0.2, extra=("--no-prepare",)
        )
    with pgqrs.connect_sync(pgbouncer, prepare_threshold=None, **wait_opts) as store:
        admin = pgqrs.admin(store)
        # Enough statements per connection that prepared statements would be used if they
        # were not turned off, on both the async store and the worker's sync (thread) store.
        expected: dict[Any, Any] = start_chains(admin, rng, 12, n=6, pause=(0.0, 0.02))
        expected[admin.start_workflow("hello", "bouncer").id] = "hello bouncer"
        check_results(admin, expected, workers, timeout=60)
    check_fencing(workers.db, [i for i in expected], steps_per_workflow=None)
    assert worker.alive()
    worker.term()
    assert worker.wait() == 0, worker.output()
