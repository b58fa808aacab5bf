"""8. Throughput while another session holds a transaction open (the xmin horizon pinned): one
worker through a deep queue for 60 s, with a REPEATABLE READ transaction open in another session
for the whole run, against the same run without it; the curve per 10 s window, the claims'
server time, the dead tuples left behind and how much the indexes grew."""

from __future__ import annotations

import asyncio
import math
import time
from datetime import datetime
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

from figures.large import CLAIM_CALL

#: (run seconds, window seconds, workflows queued before a run): the queue is deeper than a
#: worker at concurrency 1 gets through in the run, so that it never runs dry.
SHAPE = {False: (60.0, 10.0, 60_000), True: (6.0, 2.0, 6_000)}
KINDS = ("baseline", "pinned")
#: Measured repetitions (each a pinned run and a baseline run, in turns), after a short warm-up.
REPS = 3

#: Sizes and tuple counts of pgqrs.workflows, pgqrs.steps and their indexes.
RELATIONS = f"""
SELECT c.relname AS {MARKER}_rel, c.relkind::text, pg_catalog.pg_relation_size(c.oid),
       s.n_live_tup, s.n_dead_tup
  FROM pg_catalog.pg_class c
  LEFT JOIN pg_catalog.pg_stat_user_tables s ON s.relid = c.oid
 WHERE c.oid IN ('pgqrs.workflows'::regclass, 'pgqrs.steps'::regclass)
    OR c.oid IN (SELECT i.indexrelid FROM pg_catalog.pg_index i
                  WHERE i.indrelid IN ('pgqrs.workflows'::regclass, 'pgqrs.steps'::regclass))
 ORDER BY c.relkind DESC, c.relname
"""

WINDOWS = f"""
SELECT floor(extract(epoch FROM w.finished_at - %(t0)s) / %(window)s)::int AS {MARKER}_window,
       count(*)
  FROM pgqrs.workflows w
 WHERE w.name = %(name)s AND w.status = 'SUCCESS' AND w.finished_at < %(t1)s
 GROUP BY 1 ORDER BY 1
"""


async def relations(conn: psycopg.AsyncConnection[Any]) -> dict[str, dict[str, Any]]:
    await conn.execute("SELECT pg_catalog.pg_stat_clear_snapshot()")
    out = {}
    for rel, kind, size, live, dead in await (await conn.execute(RELATIONS)).fetchall():
        out[rel] = {"kind": kind, "bytes": size}
        if kind == "r":
            out[rel].update(live=live, dead=dead)
    return out


async def pin(dsn: str) -> psycopg.AsyncConnection[Any]:
    """A session with a REPEATABLE READ transaction open and its snapshot taken, as a long
    report or pg_dump holds one: it holds back the xmin horizon of its database (what VACUUM,
    pruning and index scans may remove) until it ends."""
    conn = await connect(dsn)
    await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    await conn.execute("SELECT count(*) FROM pgqrs.workers")
    return conn


async def run(
    env: Env, datname: str, dsn: str, kind: str, r: int, seconds: float
) -> dict[str, Any]:
    """One run: a worker through a queue of its own for ``seconds``, with the horizon held back
    all the while when ``kind`` is "pinned". What finished in each window, the claims' server
    time, and the tables before and after."""
    _, window, depth = SHAPE[env.quick]
    name = f"bench_xmin_{kind}_r{r}"
    out: dict[str, Any] = {"kind": kind, "name": name, "seconds": seconds}
    async with await connect(dsn) as conn:
        out["queue_s"] = await fill.queue(conn, name, depth)
        workers = WorkerProcs(env, name, 1, 1, dsn=dsn)
        await workers.spawn()
        holder: psycopg.AsyncConnection[Any] | None = None
        try:
            await workers.ready()
            out["before"] = await relations(conn)
            if kind == "pinned":
                holder = await pin(dsn)
            claims0 = await env.obs.calls_in(datname, CLAIM_CALL)
            blocks0 = await env.obs.blocks_in(datname)
            server0 = env.server_cpu() if env.server_cpu else math.nan
            t0: datetime = await env.obs.clock()
            await workers.go()
            await asyncio.sleep(seconds)
            t1: datetime = await env.obs.clock()
            server_cpu = (env.server_cpu() if env.server_cpu else math.nan) - server0
            _, worker_cpu = await workers.stop()
            claims1 = await env.obs.calls_in(datname, CLAIM_CALL)
            blocks1 = await env.obs.blocks_in(datname)
            out["after"] = await relations(conn)
            if holder is not None:
                row = await (
                    await conn.execute(
                        f"SELECT backend_xmin::text AS {MARKER}_xmin"
                        " FROM pg_catalog.pg_stat_activity WHERE pid = %s",
                        (holder.info.backend_pid,),
                    )
                ).fetchone()
                out["holder_backend_xmin"] = row[0] if row else None
        finally:
            await workers.kill()
            if holder is not None:
                await holder.close()  # ends the transaction: the horizon moves on
        done = await (
            await conn.execute(WINDOWS, {"t0": t0, "t1": t1, "window": window, "name": name})
        ).fetchall()
        counts = dict(done)
        out["windows"] = [counts.get(i, 0) / window for i in range(int(seconds // window))]
        out["per_second"] = sum(counts.values()) / (t1 - t0).total_seconds()
        # CPU per workflow: the worker process (from go to its drained stop) and every process
        # of the local server (autovacuum included) during the run. Unlike the throughput, it
        # hardly depends on what else the machine runs.
        finished = max(1, sum(counts.values()))
        out["worker_cpu_ms_per_workflow"] = worker_cpu * 1000 / finished
        out["server_cpu_ms_per_workflow"] = server_cpu * 1000 / finished
        out["cpu_ms_per_workflow"] = (worker_cpu + server_cpu) * 1000 / finished
        # Buffers per workflow: what the server's statements read, which no neighbour changes.
        out["blocks_per_workflow"] = None
        if blocks0 is not None and blocks1 is not None:
            out["blocks_per_workflow"] = (blocks1 - blocks0) / finished
        out["claim_ms"] = None
        if claims0 is not None and claims1 is not None and claims1[0] > claims0[0]:
            out["claims"] = claims1[0] - claims0[0]
            out["claim_ms"] = (claims1[1] - claims0[1]) / out["claims"]
        # The next run starts from a clean table, as autovacuum leaves it once the horizon
        # moves on.
        v0 = time.perf_counter()
        await conn.execute("VACUUM pgqrs.workflows, pgqrs.steps")
        out["vacuum_s"] = time.perf_counter() - v0
    return out


def dead(run_: dict[str, Any], table: str, when: str) -> int:
    return int(run_[when][table].get("dead") or 0)


def index_growths(run_: dict[str, Any], table: str) -> dict[str, float]:
    """MiB each index of ``table`` grew during the run."""
    rels, before = run_["after"], run_["before"]
    return {
        k: (v["bytes"] - before.get(k, {"bytes": 0})["bytes"]) / 2**20
        for k, v in rels.items()
        if v["kind"] == "i" and k.startswith(f"{table}_")
    }


def index_growth(run_: dict[str, Any], table: str) -> float:
    """MiB the indexes of ``table`` grew during the run, in all."""
    return sum(index_growths(run_, table).values())


async def fig_horizon(env: Env) -> list[Figure]:
    seconds, window, depth = SHAPE[env.quick]
    reps = 1 if env.quick else max(1, min(env.reps, REPS))
    db = f"{env.bench_db}_xmin"
    dsn = await fresh_database(env.admin_dsn, db)
    env.dbs.append(db)
    await install(dsn)
    warm = await run(env, db, dsn, "baseline", 0, seconds / 6)
    progress(f"   warm-up: {fmt(warm['per_second'])} wf/s")
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for r in range(1, reps + 1):
        for kind in rotate(KINDS, r):
            got = await run(env, db, dsn, kind, r, seconds)
            runs[kind].append(got)
            progress(
                f"   {kind} rep {r}: {fmt(got['per_second'])} wf/s; per {window:.0f} s: "
                + " ".join(fmt(x) for x in got["windows"])
                + f"; claim {fmt(got['claim_ms'])} ms; dead tuples workflows"
                f" {dead(got, 'workflows', 'after'):,}, steps {dead(got, 'steps', 'after'):,}"
            )
    base, pinned = runs["baseline"], runs["pinned"]

    def curve(rs: list[dict[str, Any]]) -> str:
        n = len(rs[0]["windows"])
        return " ".join(fmt(med([x["windows"][i] for x in rs])) for i in range(n))

    def values(rs: list[dict[str, Any]], f: Any) -> list[float]:
        return [float(f(x)) for x in rs]

    def worker_ms(x: dict[str, Any]) -> float:
        return float(x["worker_cpu_ms_per_workflow"])

    def server_ms(x: dict[str, Any]) -> float:
        return float(x["server_cpu_ms_per_workflow"])

    def before(rs: list[dict[str, Any]], table: str) -> list[float]:
        return [float(dead(x, table, "before")) for x in rs]

    def against_baseline(key: str, label: str, unit: str, f: Any, note: str = "") -> Figure:
        """pinned against baseline, when the baseline may be 0 (no ratio then)."""
        p, b = values(pinned, f), values(base, f)
        if all(b):
            return against_floor(key, label, unit, p, b, f"baseline {unit}", note=note)
        return Figure(
            key,
            label,
            unit,
            med(p),
            min(p),
            max(p),
            f"baseline {unit}",
            med(b),
            reps=len(p),
            note=note,
            raw={"pinned": p, "baseline": b},
        )

    label = f"{seconds:.0f} s, xmin pinned"
    figures = [
        against_floor(
            "xmin_throughput",
            f"8. throughput 1x1, {label}",
            "wf/s",
            values(pinned, lambda x: x["per_second"]),
            values(base, lambda x: x["per_second"]),
            "baseline wf/s",
            target=">= 0.8x",
            note=(
                f"per {window:.0f} s window (median of {reps}): pinned {curve(pinned)};"
                f" baseline {curve(base)}; queues of {depth:,} one-step workflows"
            ),
            raw={"pinned": pinned, "baseline": base, "warm_up": warm},
        ),
        against_floor(
            "xmin_last_window",
            f"8. throughput 1x1, last {window:.0f} s, xmin pinned",
            "wf/s",
            values(pinned, lambda x: x["windows"][-1]),
            values(base, lambda x: x["windows"][-1]),
            "baseline wf/s",
        ),
    ]
    figures[0].met = figures[0].ratio is not None and figures[0].ratio >= 0.8
    if env.server_cpu is not None:
        figures.append(
            against_floor(
                "xmin_cpu_per_workflow",
                f"8. CPU per workflow, {label}",
                "ms",
                values(pinned, lambda x: x["cpu_ms_per_workflow"]),
                values(base, lambda x: x["cpu_ms_per_workflow"]),
                "baseline ms",
                note=(
                    "worker process + server processes;"
                    f" pinned: worker {fmt(med(values(pinned, worker_ms)))} ms,"
                    f" server {fmt(med(values(pinned, server_ms)))} ms;"
                    f" baseline: worker {fmt(med(values(base, worker_ms)))} ms,"
                    f" server {fmt(med(values(base, server_ms)))} ms"
                ),
            )
        )
    if all(x["blocks_per_workflow"] is not None for x in [*pinned, *base]):
        figures.append(
            against_floor(
                "xmin_blocks_per_workflow",
                f"8. buffers per workflow, {label}",
                "blks",
                values(pinned, lambda x: x["blocks_per_workflow"]),
                values(base, lambda x: x["blocks_per_workflow"]),
                "baseline blks",
                note="shared buffers hit or read by the top-level statements (pg_stat_statements)",
            )
        )
    if all(x["claim_ms"] is not None for x in [*pinned, *base]):
        figures.append(
            against_floor(
                "xmin_claim_server",
                f"8. claim, server time, {label}",
                "ms",
                values(pinned, lambda x: x["claim_ms"]),
                values(base, lambda x: x["claim_ms"]),
                "baseline ms",
                note="pg_stat_statements mean_exec_time over the run",
            )
        )
    for table in ("workflows", "steps"):
        figures.append(
            against_baseline(
                f"xmin_dead_{table}",
                f"8. n_dead_tup {table} after, xmin pinned",
                "rows",
                lambda x, t=table: dead(x, t, "after"),
                note=(
                    f"before the run: pinned {med(before(pinned, table)):,.0f},"
                    f" baseline {med(before(base, table)):,.0f} (VACUUM between runs)"
                ),
            )
        )
        figures.append(
            against_baseline(
                f"xmin_index_growth_{table}",
                f"8. index growth {table}, xmin pinned",
                "MiB",
                lambda x, t=table: index_growth(x, t),
                note="the indexes' size after the run minus before: "
                + ", ".join(
                    f"{k} +{fmt(v)}" for k, v in index_growths(pinned[-1], table).items() if v
                ),
            )
        )
    progress(
        f"8. xmin pinned: {fmt(figures[0].value)} wf/s against {fmt(figures[0].floor)}"
        f" ({fmt(figures[0].ratio)}x); pinned {curve(pinned)}; baseline {curve(base)}"
    )
    return figures
