"""7. Cost does not grow with the data: claims, one worker's throughput, next_claim_at, listings
and counts on a database holding 1,000,000 finished and 100,000 queued workflows of other names,
each as a ratio to the same figure on an empty database, measured in the same run."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import fill
import psycopg
from _common import (
    Env,
    Figure,
    WorkerProcs,
    against_floor,
    connect,
    fmt,
    fresh_database,
    install,
    progress,
    rotate,
)
from observe import MARKER, med

import pgqrs
from figures.throughput import POLL
from pgqrs import _sql

#: (finished, queued) workflows in the large database.
SIZES = {False: (1_000_000, 100_000), True: (20_000, 2_000)}
#: Claims timed per repetition, workflows per throughput run, calls per read-only figure.
CLAIMS = {False: 200, True: 40}
THROUGHPUT = {False: 2000, True: 200}
CALLS = {False: 50, True: 10}
COUNT_CALLS = {False: 5, True: 2}

LIST_PAGE = (
    "SELECT id, created_at FROM pgqrs.list_workflows_page(p_status => %s::text,"
    " p_name => %s::text, p_limit => 50, p_before_created_at => %s::timestamptz,"
    " p_before_id => %s::uuid)"
)
OUTPUT = json.dumps({"ok": True})
CLAIM_CALL = "pgqrs.claim("

#: The read-only calls timed on both databases: key -> (label, what). The listings by name and
#: by status find 50 rows in either database: the repetition's own claimed workflows, and
#: SUCCESS (which has no partial index of its own: its pages are read from workflows_created).
READS: dict[str, tuple[str, str]] = {
    "next_claim_at": ("next_claim_at, nothing queued", "next_claim_at"),
    "list_first": ("list_workflows_page, first page", "first"),
    "list_next": ("list_workflows_page, next page (keyset)", "next"),
    "list_name": ("list_workflows_page, by name", "name"),
    "list_status": ("list_workflows_page, by status (SUCCESS)", "status"),
    "counts": ("workflow_counts", "counts"),
}
KINDS = ("empty", "large")


class Side:
    """One database's connection, claimer and workflow name during one repetition."""

    def __init__(self, kind: str, datname: str, conn: psycopg.AsyncConnection[Any], r: int) -> None:
        self.kind, self.datname, self.conn = kind, datname, conn
        self.name, self.worker = f"bench_claim_r{r}", f"bench-claimer-r{r}"
        self.cursor: tuple[Any, Any] = (None, None)

    async def claim(self) -> float:
        """ms of one claim (its durable commit included); the workflow is then completed."""
        t0 = time.perf_counter()
        rows = await (
            await self.conn.execute(_sql.CLAIM, (self.worker, uuid.uuid4(), 1, 30.0))
        ).fetchall()
        elapsed = (time.perf_counter() - t0) * 1000
        assert len(rows) == 1, rows
        await self.conn.execute(_sql.COMPLETE_WORKFLOW, (rows[0][0], rows[0][2], OUTPUT))
        return elapsed

    async def read(self, what: str) -> float:
        """ms of one read-only call."""
        query: Any
        query, params = {
            "next_claim_at": (_sql.NEXT_CLAIM_AT, (self.worker,)),
            "first": (LIST_PAGE, (None, None, None, None)),
            "next": (LIST_PAGE, (None, None, *self.cursor)),
            "name": (LIST_PAGE, (None, self.name, None, None)),
            "status": (LIST_PAGE, ("SUCCESS", None, None, None)),
            "counts": (_sql.WORKFLOW_COUNTS, ()),
        }[what]
        t0 = time.perf_counter()
        await (await self.conn.execute(query, params)).fetchall()
        return (time.perf_counter() - t0) * 1000


async def probe(
    env: Env, dbs: dict[str, tuple[str, str]], r: int
) -> dict[str, dict[str, float | None]]:
    """One repetition's claims and read-only calls on both databases, alternating call by call
    (in an order that changes every call) so that a burst of noise hits both alike."""
    quick = env.quick
    out: dict[str, dict[str, float | None]] = {k: {} for k in KINDS}
    sides = [Side(k, dbs[k][0], await connect(dbs[k][1]), r) for k in KINDS]
    try:
        for side in sides:
            await side.conn.execute(_sql.REGISTER_WORKER, (side.worker, [side.name], 1, "bench", 0))
            for i in range(CLAIMS[quick]):
                await side.conn.execute(
                    _sql.SUBMIT_WORKFLOW,
                    (side.name, json.dumps({"i": i}), json.dumps({"queue": True})),
                )
        before = {s.kind: await env.obs.calls_in(s.datname, CLAIM_CALL) for s in sides}
        times: dict[str, list[float]] = {k: [] for k in KINDS}
        for i in range(CLAIMS[quick]):
            for side in rotate(sides, i):
                times[side.kind].append(await side.claim())
        for side in sides:
            out[side.kind]["claim"] = med(times[side.kind])
            after = await env.obs.calls_in(side.datname, CLAIM_CALL)
            b = before[side.kind]
            out[side.kind]["claim_server"] = None
            if b is not None and after is not None and after[0] > b[0]:
                out[side.kind]["claim_server"] = (after[1] - b[1]) / (after[0] - b[0])
            page = await (await side.conn.execute(LIST_PAGE, (None, None, None, None))).fetchall()
            side.cursor = page[-1][1], page[-1][0]
        for key, (_label, what) in READS.items():
            reads: dict[str, list[float]] = {k: [] for k in KINDS}
            for i in range(COUNT_CALLS[quick] if what == "counts" else CALLS[quick]):
                for side in rotate(sides, i):
                    reads[side.kind].append(await side.read(what))
            for kind in KINDS:
                out[kind][key] = med(reads[kind])
        for side in sides:
            await side.conn.execute(_sql.STOP_WORKER, (side.worker,))
    finally:
        for side in sides:
            await side.conn.close()
    return out


async def start_many(dsn: str, name: str, n: int) -> None:
    """start_workflow ``n`` times from 8 concurrent tasks."""
    async with await pgqrs.connect(dsn, runner_id="bench-start", pool_size=8) as store:
        admin = pgqrs.admin(store)
        queue = list(range(n))

        async def starter() -> None:
            while queue:
                await admin.start_workflow(name, queue.pop())

        await asyncio.gather(*(starter() for _ in range(8)))


async def throughput(
    env: Env,
    dsn: str,
    name: str,
    n: int,
    start: Callable[[str, str, int], Awaitable[None]] = start_many,
    processes: int = 1,
) -> float:
    """Workflows per second of ``processes`` workers (one by default) at concurrency 1 through
    ``n`` one-step workflows started beforehand by ``start(dsn, name, n)`` (as figure 4 runs
    them)."""
    workers = WorkerProcs(env, name, processes, 1, dsn=dsn)
    await workers.spawn()
    try:
        await start(dsn, name, n)
        await workers.ready()
        async with await connect(dsn) as poller:
            deadline = time.monotonic() + max(120.0, n / 20)
            t0 = time.perf_counter()
            await workers.go()
            while True:
                await asyncio.sleep(0.05)
                (remaining,) = (await (await poller.execute(POLL, (name,))).fetchone()) or (None,)
                if remaining == 0:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name}: {remaining} of {n} workflows still open")
            elapsed = time.perf_counter() - t0
            await workers.stop()
            row = await (
                await poller.execute(
                    f"SELECT count(*) AS {MARKER}_done FROM pgqrs.workflows"
                    " WHERE name = %s AND status = 'SUCCESS'",
                    (name,),
                )
            ).fetchone()
            if row is None or row[0] != n:
                raise AssertionError(f"{name}: {row} of {n} workflows SUCCESS")
    finally:
        await workers.kill()
    return n / elapsed


async def fig_large(env: Env) -> list[Figure]:
    finished, queued = SIZES[env.quick]
    dbs = {k: f"{env.bench_db}_{k}" for k in KINDS}
    dsns = {}
    for kind, db in dbs.items():
        dsns[kind] = await fresh_database(env.admin_dsn, db)
        env.dbs.append(db)
        await install(dsns[kind])
    progress(f"7. filling {finished:,} finished and {queued:,} queued workflows")
    async with await connect(dsns["large"]) as conn:
        filled = await fill.fill(conn, finished=finished, queued=queued)
    progress(
        f"7. filled in {filled['total_s']:.1f} s: {filled['workflows']:,} workflows,"
        f" {filled['steps']:,} steps,"
        f" {(filled['workflows_bytes'] + filled['steps_bytes']) / 2**20:,.0f} MiB"
    )
    values: dict[str, dict[str, list[float | None]]] = {k: {} for k in KINDS}
    for r in range(env.reps + 1):
        got = await probe(env, {k: (dbs[k], dsns[k]) for k in KINDS}, r)
        for kind in rotate(KINDS, r):
            got[kind]["throughput"] = await throughput(
                env, dsns[kind], f"bench_tp7_r{r}", THROUGHPUT[env.quick]
            )
        for kind in KINDS:
            if r:
                for key, v in got[kind].items():
                    values[kind].setdefault(key, []).append(v)
            progress(
                f"   {kind} {'warm-up' if r == 0 else f'rep {r}'}: claim"
                f" {fmt(got[kind]['claim'])} ms, {fmt(got[kind]['throughput'])} wf/s,"
                f" next_claim_at {fmt(got[kind]['next_claim_at'])} ms,"
                f" counts {fmt(got[kind]['counts'])} ms"
            )
    size = f"{finished // 1000:,}k finished + {queued // 1000:,}k queued"
    figures = [
        Figure(
            key="large_fill",
            label=f"7. fill {size}",
            unit="s",
            value=filled["total_s"],
            note=(
                "INSERT ... SELECT generate_series, then VACUUM (ANALYZE): "
                + ", ".join(f"{k} {v} s" for k, v in filled["seconds"].items())
                + f"; {filled['workflows']:,} workflows ({filled['workflows_bytes'] / 2**20:,.0f}"
                f" MiB), {filled['steps']:,} steps ({filled['steps_bytes'] / 2**20:,.0f} MiB)"
            ),
            raw=filled,
        )
    ]
    rows: list[tuple[str, str, str, str, str]] = [
        ("claim", "claim latency", "ms", "<= 1.2x", "client round trip with its durable commit"),
        (
            "claim_server",
            "claim, server time",
            "ms",
            "<= 1.2x",
            "pg_stat_statements mean_exec_time",
        ),
        ("throughput", "throughput, 1 worker x concurrency 1", "wf/s", ">= 0.83x", ""),
        *((key, label, "ms", "", "") for key, (label, _kind) in READS.items()),
    ]
    for key, label, unit, target, note in rows:
        large = [v for v in values["large"].get(key, []) if v is not None]
        empty = [v for v in values["empty"].get(key, []) if v is not None]
        if not large or len(large) != len(empty):
            figures.append(Figure(f"large_{key}", f"7. {label}", unit, None, note="n/a"))
            continue
        fig = against_floor(
            f"large_{key}",
            f"7. {label}",
            unit,
            large,
            empty,
            "empty DB",
            target=target,
            note=note,
            raw={"large": large, "empty": empty},
        )
        if target.startswith("<="):
            fig.met = fig.ratio is not None and fig.ratio <= 1.2
        elif target.startswith(">="):
            fig.met = fig.ratio is not None and fig.ratio >= 1 / 1.2
        figures.append(fig)
    progress(
        "7. large database: "
        + ", ".join(f"{f.label[3:]} {fmt(f.ratio)}x" for f in figures[1:] if f.ratio is not None)
    )
    return figures
