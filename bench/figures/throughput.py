"""4. Throughput of one-step workflows with 1 and 2 worker processes at concurrency 1 and 8,
against autocommit INSERTs from as many connections; statements per workflow."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import flows
import psycopg
from _common import (
    FLOOR_INSERT,
    Env,
    Figure,
    WorkerProcs,
    against_floor,
    connect,
    count_figure,
    encode,
    fmt,
    paired_ratios,
    progress,
    rotate,
)
from observe import MARKER, breakdown, exec_times, med

import pgqrs

SHAPES = ((1, 1), (1, 8), (2, 1), (2, 8))
POLL = (
    f"SELECT count(*) AS {MARKER}_remaining FROM pgqrs.workflows"
    " WHERE queued AND status IN ('PENDING', 'RUNNING') AND name = %s"
)


async def insert_rate(env: Env, clients: int, n: int) -> float:
    """Floor: autocommit INSERTs per second from ``clients`` concurrent connections."""
    conns = [await connect(env.bench_dsn) for _ in range(clients)]
    try:
        for c in conns:  # warm: the first statement of a connection is slower
            await c.execute(FLOOR_INSERT, (encode(flows.payload(0)),))

        async def run(c: psycopg.AsyncConnection[Any], k: int) -> None:
            for i in range(k):
                await c.execute(FLOOR_INSERT, (encode(flows.payload(i)),))

        share = [n // clients + (1 if j < n % clients else 0) for j in range(clients)]
        start = time.perf_counter()
        await asyncio.gather(*(run(c, k) for c, k in zip(conns, share, strict=True)))
        return n / (time.perf_counter() - start)
    finally:
        for c in conns:
            await c.close()


async def enqueue(env: Env, name: str, n: int) -> tuple[float, int | None]:
    """start_workflow ``n`` times from 8 concurrent tasks; return (per second, statements).

    The store's one-time schema check (one statement per store) runs before the count starts:
    it is a cost per process, like a worker's registration, not per workflow."""
    async with await pgqrs.connect(env.bench_dsn, runner_id="bench-start", pool_size=8) as store:
        await store.check_schema()
        await env.obs.reset_statements()
        admin = pgqrs.admin(store)
        queue = list(range(n))

        async def starter() -> None:
            while queue:
                i = queue.pop()
                await admin.start_workflow(name, i)

        start = time.perf_counter()
        await asyncio.gather(*(starter() for _ in range(8)))
        rate = n / (time.perf_counter() - start)
    st = await env.obs.statements()
    return rate, None if st is None else st.top


async def throughput_run(
    env: Env, poller: psycopg.AsyncConnection[Any], procs: int, conc: int, n: int, tag: str
) -> dict[str, Any]:
    name = f"bench_tp_{tag}_{procs}x{conc}"
    workers = WorkerProcs(env, name, procs, conc)
    await workers.spawn()
    try:
        start_rate, start_stmts = await enqueue(env, name, n)
        await workers.ready()
        await env.obs.settle(keep=procs + 1)  # each worker's pool holds one connection; the poller
        await env.obs.reset_statements()
        before = await env.obs.counters()
        server0 = env.server_cpu() if env.server_cpu else math.nan
        deadline = time.monotonic() + max(120.0, n / 20)
        t0 = time.perf_counter()
        await workers.go()
        polls = 0
        while True:
            await asyncio.sleep(0.05)
            polls += 1
            (remaining,) = (await (await poller.execute(POLL, (name,))).fetchone()) or (None,)
            if remaining == 0:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name}: {remaining} of {n} workflows still open")
        elapsed = time.perf_counter() - t0
        executed, worker_cpu = await workers.stop()
    finally:
        await workers.kill()
    server_cpu = (env.server_cpu() if env.server_cpu else math.nan) - server0
    await env.obs.settle(keep=1)
    delta = (await env.obs.counters()).minus(before)
    st = await env.obs.statements()
    row = await (
        await poller.execute(
            f"SELECT count(*) FILTER (WHERE status = 'SUCCESS') AS {MARKER}_done,"
            " extract(epoch FROM max(finished_at) - min(started_at))"
            " FROM pgqrs.workflows WHERE name = %s",
            (name,),
        )
    ).fetchone()
    assert row is not None
    done, server_span = row
    if done != n:
        raise AssertionError(f"{name}: {done} of {n} workflows SUCCESS")
    if executed != n:
        env.notes.append(f"WARNING: {name}: {executed} step bodies ran for {n} workflows")
    return {
        "workflows": n,
        "seconds": elapsed,
        "per_second": n / elapsed,
        "server_span_s": float(server_span),
        "per_second_server_span": n / float(server_span),
        "polls": polls,
        "steps_executed": executed,
        "start_per_second": start_rate,
        "start_statements": start_stmts,
        "statements": None if st is None else st.top,
        "nested": None if st is None else st.nested,
        "wal_sync": delta.wal_sync,
        "worker_cpu_ms_per_workflow": worker_cpu * 1000 / n,
        "server_cpu_ms_per_workflow": server_cpu * 1000 / n,
        "breakdown": None if st is None else breakdown(st.rows, n),
        "server_time": None if st is None else exec_times(st.rows, n, toplevel=True),
        "server_time_nested": None if st is None else exec_times(st.rows, n, toplevel=False)[:15],
    }


async def fig_throughput(env: Env) -> list[Figure]:
    n = 400 if env.quick else 2000
    warm_n = 200 if env.quick else 400
    reps = max(3, min(env.reps, 3))
    runs: dict[tuple[int, int], list[dict[str, Any]]] = {s: [] for s in SHAPES}
    warm: dict[tuple[int, int], dict[str, Any]] = {}
    floors: dict[tuple[int, int], list[float]] = {s: [] for s in SHAPES}
    async with await connect(env.bench_dsn) as poller:
        for r in range(reps + 1):
            for shape in rotate(SHAPES, r):
                procs, conc = shape
                count = n if r else warm_n
                floor = await insert_rate(env, procs * conc, count)
                run = await throughput_run(env, poller, procs, conc, count, f"r{r}")
                progress(
                    f"   throughput {procs}x{conc} {'warm-up' if r == 0 else f'rep {r}'}:"
                    f" {run['per_second']:.0f} workflows/s (floor {floor:.0f} inserts/s)"
                )
                if r:
                    runs[shape].append(run)
                    floors[shape].append(floor)
                else:
                    warm[shape] = run
    figures = []
    for shape in SHAPES:
        procs, conc = shape
        rates = [x["per_second"] for x in runs[shape]]
        ratios = paired_ratios(rates, floors[shape])
        target = ">= 600/s" if shape == (1, 1) else ""
        plural = "s" if procs > 1 else ""
        figures.append(
            against_floor(
                f"throughput_{procs}x{conc}",
                f"4. throughput, {procs} worker{plural} x concurrency {conc}",
                "wf/s",
                rates,
                floors[shape],
                f"inserts/s ({procs * conc} conn)",
                target=target,
                met=(med(rates) >= 600) if target else None,
                reps=len(rates),
                note=(
                    f"{n:,} one-step workflows per rep, {reps} reps after a warm-up of {warm_n};"
                    " CPU per workflow: worker"
                    f" {fmt(med([x['worker_cpu_ms_per_workflow'] for x in runs[shape]]))} ms,"
                    f" server {fmt(med([x['server_cpu_ms_per_workflow'] for x in runs[shape]]))}"
                    " ms"
                ),
                raw={"runs": runs[shape], "floor_inserts_per_s": floors[shape], "ratios": ratios},
            )
        )
    for shape in SHAPES:
        procs, conc = shape
        rs, w = runs[shape], warm[shape]
        values = run_stmts = None
        if all(x["statements"] is not None for x in [*rs, w]) and w["workflows"] < n:
            # marginal: (S(2,000 workflows) - S(warm-up's 400)) / 1,600 leaves out what a worker
            # sends once per run (register_worker, LISTEN, the last empty claim, stop_worker)
            run_stmts = [
                (x["statements"] - w["statements"]) / (x["workflows"] - w["workflows"]) for x in rs
            ]
            values = [
                m + x["start_statements"] / x["workflows"]
                for m, x in zip(run_stmts, rs, strict=True)
            ]
        fig = count_figure(
            f"statements_per_workflow_{procs}x{conc}",
            f"4. statements/workflow, {procs}x{conc} (start + run)",
            "stmt",
            values,
            "per insert",
            [1.0] * len(rs) if values else None,
            target="<= 5",
            check=lambda v, _r: v <= 5.0 + 1e-9,
            note="" if values else "n/a: pg_stat_statements unavailable",
        )
        if values and run_stmts:
            fig.raw["breakdown_last_rep"] = rs[-1]["breakdown"]
            fig.raw["all_statements_per_workflow"] = [
                (x["statements"] + x["start_statements"]) / x["workflows"] for x in rs
            ]
            fig.raw["wal_sync_per_workflow"] = [
                x["wal_sync"] / x["workflows"] for x in rs if x["wal_sync"] is not None
            ]
            per_run = w["statements"] - med(run_stmts) * w["workflows"]
            fig.note = (
                f"start {fmt(med([x['start_statements'] / x['workflows'] for x in rs]))}"
                f" + run {fmt(med(run_stmts))} (marginal), plus {fmt(per_run)} per run of"
                f" {procs} worker process{'es' if procs > 1 else ''};"
                f" WAL flushes/workflow {fmt(med(fig.raw['wal_sync_per_workflow']))}"
            )
        figures.append(fig)
    env.evidence["throughput_statements_per_workflow"] = {
        f"{p}x{c}": runs[(p, c)][-1]["breakdown"] for p, c in SHAPES if runs[(p, c)]
    }
    env.evidence["throughput_server_time_per_workflow"] = {
        f"{p}x{c}": runs[(p, c)][-1]["server_time"] for p, c in SHAPES if runs[(p, c)]
    }
    if runs[(1, 1)]:
        env.evidence["throughput_1x1_nested_server_time_per_workflow"] = runs[(1, 1)][-1][
            "server_time_nested"
        ]
    env.evidence["start_workflow_per_second_8_tasks"] = [
        round(x["start_per_second"]) for s in SHAPES for x in runs[s]
    ]
    progress(
        "4. throughput: "
        + ", ".join(f"{f.label.split(', ', 1)[1]}: {fmt(f.value)} wf/s" for f in figures[:4])
    )
    return figures
