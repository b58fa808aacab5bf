"""pgqrs benchmarks (``make bench``). See docs/performance.md for what each figure means.

Starts a throwaway PostgreSQL 15 cluster with PostgreSQL's default durability (fsync on,
synchronous_commit on) and pg_stat_statements (track = all), or uses the server of
``PGQRS_BENCH_DSN`` (a role that may create databases), installs pgqrs with ``admin.install()``
into a fresh database, and measures:

1. step cost (decorators and low-level API) against f1, one autocommit INSERT of a small jsonb row;
2. statements, transactions and WAL flushes per step, counted on the server;
3. replay of a workflow with 1,000 (and 100) finished steps;
4. throughput of one-step workflows with 1 and 2 worker processes at concurrency 1 and 8;
5. pickup latency of an idle worker, and result latency of ``handle.result()``;
6. storage per completed step.

The machine may be shared and noisy, so every figure comes with a floor measured in the same run,
interleaved with its repetitions, and is reported as a ratio to it: the median and min-max of the
repetitions that follow a warm-up repetition. Progress goes to stderr, the table to stdout, and
everything (raw repetitions included) to bench/results.json.

    python bench/run.py [--reps N] [--only 1,4] [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import flows  # noqa: E402
import psycopg  # noqa: E402
from _common import (  # noqa: E402
    FLOOR_INSERT,
    ROOT,
    STARTED,
    STEPS,
    Env,
    Figure,
    WorkerProcs,
    against_floor,
    connect,
    count_figure,
    cpu_now,
    drop_database,
    encode,
    floor_ms,
    fmt,
    fresh_database,
    install,
    make_finished,
    paired_ratios,
    progress,
    rotate,
    run_decorators,
    summary,
)
from observe import (  # noqa: E402
    MARKER,
    Observer,
    ServerCPU,
    breakdown,
    exec_times,
    med,
    nested_top,
    pct,
)

import pgqrs  # noqa: E402
from pgqrs import testing  # noqa: E402

#: Server settings of the throwaway cluster: PostgreSQL's defaults (fsync, synchronous_commit and
#: full_page_writes on) plus what the counting needs.
SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements",
    "pg_stat_statements.track": "all",
    "max_connections": "100",
}


# --------------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------------


def span(lo: float | None, hi: float | None) -> str:
    if lo is None or hi is None:
        return ""
    return f"[{fmt(lo)}-{fmt(hi)}]"


def render_table(figures: list[Figure]) -> str:
    head = ("figure", "value [min-max]", "floor", "ratio [min-max]", "target", "result")
    rows = [head]
    for f in figures:
        value = f"{fmt(f.value)} {f.unit}".strip()
        if f.lo is not None and f.reps > 1:
            value += f" {span(f.lo, f.hi)}"
        floor = f"{f.floor_label} {fmt(f.floor)}".strip() if f.floor_label else ""
        ratio = ""
        if f.ratio is not None:
            ratio = f"{fmt(f.ratio)}x"
            if f.ratio_lo is not None and f.reps > 1:
                ratio += f" {span(f.ratio_lo, f.ratio_hi)}"
        result = "" if not f.target else ("n/a" if f.met is None else "met" if f.met else "MISSED")
        rows.append((f.label, value, floor, ratio, f.target, result))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# 1. Step cost
# --------------------------------------------------------------------------------------------------


async def run_lowlevel(admin: pgqrs.Admin, n: int) -> tuple[float, float, float]:
    """ms for ``n`` acquire_step + guard.success pairs (the implicit lease acquire included), and
    the ms spent in acquire_step and in success."""
    ctx = await admin.create_workflow("lowlevel_wf", n)
    acquire = success = 0.0
    start = time.perf_counter()
    for i in range(n):
        a = time.perf_counter()
        step = await ctx.acquire_step("noop")
        b = time.perf_counter()
        assert step.guard is not None, step
        await step.guard.success(flows.payload(i))
        success += time.perf_counter() - b
        acquire += b - a
    elapsed = time.perf_counter() - start
    await ctx.release()
    return elapsed * 1000, acquire * 1000, success * 1000


async def fig_step_cost(env: Env) -> list[Figure]:
    kinds = ["floor", "decorators", "lowlevel"]
    data: dict[str, list[float]] = {k: [] for k in kinds}
    acq: list[float] = []
    suc: list[float] = []
    cpu: dict[str, list[float]] = {f"{k}_{w}": [] for k in kinds for w in ("client", "server")}
    async with (
        await pgqrs.connect(env.bench_dsn, runner_id="bench-steps") as store,
        await connect(env.bench_dsn) as fconn,
    ):
        admin = pgqrs.admin(store)
        for r in range(env.reps + 1):
            sample: dict[str, float] = {}
            if r == env.reps:
                await env.obs.reset_statements()  # warm connections: where the server time goes
            for kind in rotate(kinds, r):
                c0, s0 = cpu_now(env)
                if kind == "floor":
                    sample[kind] = await floor_ms(fconn, STEPS)
                elif kind == "decorators":
                    sample[kind] = await run_decorators(admin, STEPS) / STEPS
                else:
                    total, a, s = await run_lowlevel(admin, STEPS)
                    sample[kind] = total / STEPS
                    sample["acquire"], sample["success"] = a / STEPS, s / STEPS
                c1, s1 = cpu_now(env)
                sample[f"{kind}_client"] = (c1 - c0) * 1000 / STEPS
                sample[f"{kind}_server"] = (s1 - s0) * 1000 / STEPS
            if r == 0:
                continue  # warm-up
            for kind in kinds:
                data[kind].append(sample[kind])
            for key in cpu:
                cpu[key].append(sample[key])
            acq.append(sample["acquire"])
            suc.append(sample["success"])
        st = await env.obs.statements()
    if st is not None:
        # the last repetition: 100 decorator steps and 100 low-level steps, warm connections
        env.evidence["server_time_per_step_warm"] = {
            "toplevel": exec_times(st.rows, 2 * STEPS, toplevel=True),
            "nested_by_time": exec_times(st.rows, 2 * STEPS, toplevel=False)[:14],
        }
    floor, _, _ = summary(data["floor"])
    figures = []
    for kind, label, limit in (
        ("decorators", "1. step cost, decorators", 2.0),
        ("lowlevel", "1. step cost, low-level API", 1.5),
    ):
        ratios = paired_ratios(data[kind], data["floor"])
        figures.append(
            against_floor(
                f"step_cost_{kind}",
                label,
                "ms/step",
                data[kind],
                data["floor"],
                "f1 ms",
                target=f"<= {limit:g}x f1",
                met=med(ratios) <= limit,
                raw={
                    "ms_per_step": data[kind],
                    "f1_ms": data["floor"],
                    "ratios": ratios,
                    "client_cpu_ms_per_step": cpu[f"{kind}_client"],
                    "server_cpu_ms_per_step": cpu[f"{kind}_server"],
                    "f1_client_cpu_ms": cpu["floor_client"],
                    "f1_server_cpu_ms": cpu["floor_server"],
                    **(
                        {"acquire_ms_per_step": acq, "success_ms_per_step": suc}
                        if kind == "lowlevel"
                        else {}
                    ),
                },
            )
        )
    for f, kind in zip(figures, ("decorators", "lowlevel"), strict=True):
        f.note = (
            f"CPU per step: client {fmt(med(cpu[f'{kind}_client']))} ms,"
            f" server {fmt(med(cpu[f'{kind}_server']))} ms"
            f" (f1: {fmt(med(cpu['floor_client']))} / {fmt(med(cpu['floor_server']))} ms)"
        )
    figures[1].note += f"; acquire_step {fmt(med(acq))} ms + guard.success {fmt(med(suc))} ms"
    progress(
        f"1. step cost: decorators {fmt(figures[0].value)} ms/step ({fmt(figures[0].ratio)}x f1),"
        f" low-level {fmt(figures[1].value)} ms/step ({fmt(figures[1].ratio)}x f1);"
        f" f1 = {fmt(floor)} ms"
    )
    return figures


# --------------------------------------------------------------------------------------------------
# 2. Statements, transactions and WAL flushes per step
# --------------------------------------------------------------------------------------------------


@dataclass
class Count:
    statements: int | None
    nested: int | None
    commits: int | None
    wal_sync: int | None
    rows: list[dict[str, Any]]


async def counted(env: Env, body: Callable[[], Awaitable[None]]) -> Count:
    """Run ``body`` (which opens and closes its own connections) between two snapshots."""
    obs = env.obs
    await obs.settle()
    await obs.reset_statements()
    before = await obs.counters()
    await body()
    await obs.settle()
    delta = (await obs.counters()).minus(before)
    st = await obs.statements()
    return Count(
        statements=None if st is None else st.top,
        nested=None if st is None else st.nested,
        commits=delta.xact_commit,
        wal_sync=delta.wal_sync,
        rows=[] if st is None else st.rows,
    )


def count_body(env: Env, kind: str, n: int) -> Callable[[], Awaitable[None]]:
    async def floor() -> None:
        async with await connect(env.bench_dsn) as conn:
            for i in range(n):
                await conn.execute(FLOOR_INSERT, (encode(flows.payload(i)),))

    async def workflow() -> None:
        async with await pgqrs.connect(env.bench_dsn, runner_id=f"bench-count-{kind}") as store:
            admin = pgqrs.admin(store)
            if kind == "decorators":
                await run_decorators(admin, n)
            else:
                ctx = await admin.create_workflow("lowlevel_wf", n)
                for i in range(n):
                    step = await ctx.acquire_step("noop")
                    assert step.guard is not None
                    await step.guard.success(flows.payload(i))
                # no release(): the workflow stays RUNNING; one statement less to explain

    return floor if kind == "floor" else workflow


def per(values: list[int | None], n: float) -> list[float] | None:
    if any(v is None for v in values):
        return None
    return [v / n for v in values if v is not None]


def marginal(big: list[Count], small: list[Count], attr: str, n: int) -> list[float] | None:
    """(X(2n steps) - X(n steps)) / n for each repetition: the cost of one more step, free of
    per-workflow costs (create_workflow, acquire_workflow, complete_workflow)."""
    out = []
    for b, s in zip(big, small, strict=True):
        vb, vs = getattr(b, attr), getattr(s, attr)
        if vb is None or vs is None:
            return None
        out.append((vb - vs) / n)
    return out


async def fig_counts(env: Env) -> list[Figure]:
    units = [
        ("decorators", STEPS),
        ("decorators", 2 * STEPS),
        ("lowlevel", STEPS),
        ("lowlevel", 2 * STEPS),
        ("floor", STEPS),
    ]
    res: dict[tuple[str, int], list[Count]] = {u: [] for u in units}
    for r in range(env.reps + 1):
        for unit in rotate(units, r):
            c = await counted(env, count_body(env, *unit))
            if r > 0:
                res[unit].append(c)
    floor = res[("floor", STEPS)]
    f_stmt = per([c.statements for c in floor], STEPS)
    f_wal = per([c.wal_sync for c in floor], STEPS)
    f_commit = per([c.commits for c in floor], STEPS)
    na = "" if env.counting else f"n/a: {env.obs.pgss_note}"
    figures: list[Figure] = []
    for kind, name in (("decorators", "decorators"), ("lowlevel", "low-level")):
        big, small = res[(kind, 2 * STEPS)], res[(kind, STEPS)]
        stmts = marginal(big, small, "statements", STEPS)
        nested = marginal(big, small, "nested", STEPS)
        wal = marginal(big, small, "wal_sync", STEPS)
        commits = marginal(big, small, "commits", STEPS)
        overhead = None
        if stmts is not None:
            overhead = [(s.statements or 0) - m * STEPS for s, m in zip(small, stmts, strict=True)]
        fig_s = count_figure(
            f"statements_per_step_{kind}",
            f"2. statements/step, {name} (top-level)",
            "stmt",
            stmts,
            "per insert",
            f_stmt,
            target="<= 2",
            check=lambda v, _r: v <= 2.0 + 1e-9,
            note=na
            or (
                f"+{fmt(med(overhead))} statements per workflow"
                f" ({'create, acquire, complete' if kind == 'decorators' else 'create, acquire'})"
                if overhead
                else ""
            ),
        )
        fig_s.raw.update(
            statements_per_workflow_100=[c.statements for c in small],
            statements_per_workflow_200=[c.statements for c in big],
            nested_per_step=nested,
            per_workflow_overhead=overhead,
        )
        figures.append(fig_s)
        fig_w = count_figure(
            f"wal_flushes_per_step_{kind}",
            f"2. WAL flushes/step, {name}",
            "fsync",
            wal,
            "per insert",
            f_wal,
            target="1 sync commit",
            check=lambda _v, r: r <= 1.1,
            note="pg_stat_wal.wal_sync; met when <= 1.1x the floor's flushes per insert",
        )
        if fig_w.value is not None and fig_w.ratio is None:
            fig_w.met = None  # the floor flushed nothing: fsync = off, or no pg_stat_wal
            fig_w.note = "n/a: the floor's inserts caused no WAL flush (fsync = off?)"
        figures.append(fig_w)
        fig_c = count_figure(
            f"commits_per_step_{kind}",
            f"2. transactions/step, {name}",
            "xact",
            commits,
            "per insert",
            f_commit,
            note=(
                "pg_stat_database.xact_commit; a new step is one record_step (a step running"
                " over 50 ms adds an asynchronously committed begin_step)"
            ),
        )
        figures.append(fig_c)
        if kind == "decorators" and small and small[-1].rows:
            env.evidence["statements_decorators_100_steps"] = {
                "toplevel_per_step": breakdown(small[-1].rows, STEPS),
                "nested_per_step": breakdown(small[-1].rows, STEPS, toplevel=False),
                "nested_by_time": nested_top(small[-1].rows, STEPS),
            }
        if kind == "lowlevel" and small and small[-1].rows:
            env.evidence["statements_lowlevel_100_steps"] = {
                "toplevel_per_step": breakdown(small[-1].rows, STEPS),
            }
    nested_fig = count_figure(
        "nested_statements_per_step_decorators",
        "2. statements in PL/pgSQL/step, decorators",
        "stmt",
        figures[0].raw.get("nested_per_step"),
        "",
        None,
        note="pg_stat_statements.track = all, toplevel = false",
    )
    figures.insert(1, nested_fig)
    progress(
        "2. counts per step: statements decorators "
        f"{fmt(figures[0].value)}, low-level {fmt(figures[4].value)}; WAL flushes "
        f"{fmt(figures[2].value)} / {fmt(figures[5].value)}; transactions "
        f"{fmt(figures[3].value)} / {fmt(figures[6].value)}"
    )
    return figures


# --------------------------------------------------------------------------------------------------
# 3. Replay
# --------------------------------------------------------------------------------------------------


REPLAY_SIZES = (100, 1000)


async def fig_replay(env: Env) -> list[Figure]:
    rounds = env.reps + 1
    async with await pgqrs.connect(env.bench_dsn, runner_id="bench-prep", pool_size=8) as store:
        admin = pgqrs.admin(store)
        sizes = [n for n in REPLAY_SIZES for _ in range(rounds)]
        made = await asyncio.gather(*(make_finished(admin, n) for n in sizes))
    ids: dict[int, list[UUID]] = {n: [] for n in REPLAY_SIZES}
    for n, wid in zip(sizes, made, strict=True):
        ids[n].append(wid)
    ms: dict[Any, list[float]] = {"floor": [], **{n: [] for n in REPLAY_SIZES}}
    stmts: dict[int, list[int]] = {n: [] for n in REPLAY_SIZES}
    async with (
        await pgqrs.connect(env.bench_dsn, runner_id="bench-replay") as store,
        await connect(env.bench_dsn) as fconn,
    ):
        admin = pgqrs.admin(store)
        for r in range(rounds):
            sample: dict[Any, float] = {}
            counts: dict[int, int] = {}
            kinds: list[str | int] = ["floor", *REPLAY_SIZES]
            for kind in rotate(kinds, r):
                if kind == "floor":
                    sample[kind] = await floor_ms(fconn, STEPS)
                    continue
                n = int(kind)
                executed = flows.EXECUTED
                await env.obs.reset_statements()
                start = time.perf_counter()
                ctx = await admin.workflow(ids[n][r])  # a fresh context, as another process would
                out = await flows.replay_wf(ctx, n)
                sample[n] = (time.perf_counter() - start) * 1000
                st = await env.obs.statements()
                assert out == n, out
                if executed != flows.EXECUTED:
                    raise AssertionError(f"replay ran {flows.EXECUTED - executed} step bodies")
                if st is not None:
                    counts[n] = st.top
                    if r == rounds - 1:
                        env.evidence[f"statements_replay_{n}"] = breakdown(st.rows, 1)
            if r == 0:
                continue
            for k, v in sample.items():
                ms[k].append(v)
            for n, c in counts.items():
                stmts[n].append(c)
    big, small = REPLAY_SIZES[1], REPLAY_SIZES[0]
    figures = []
    for n in REPLAY_SIZES[::-1]:
        ratios = paired_ratios(ms[n], ms["floor"])
        figures.append(
            against_floor(
                f"replay_{n}_ms",
                f"3. replay {n:,} finished steps",
                "ms",
                ms[n],
                ms["floor"],
                "f1 ms",
                note="admin.workflow(id) + the @workflow call, to SUCCESS",
                raw={"ms": ms[n], "f1_ms": ms["floor"], "ratios": ratios},
            )
        )
    for n in REPLAY_SIZES[::-1]:
        values = [float(c) for c in stmts[n]] or None
        fig = count_figure(
            f"replay_{n}_statements",
            f"3. statements to replay {n:,} steps",
            "stmt",
            values,
            "",
            None,
            note="" if env.counting else "n/a: pg_stat_statements unavailable",
        )
        figures.append(fig)
    replay_us = [(b - s) * 1000 / (big - small) for b, s in zip(ms[big], ms[small], strict=True)]
    figures[0].note += f"; {fmt(med(replay_us))} us per extra replayed step"
    figures[0].raw["us_per_replayed_step"] = replay_us
    per_step = None
    if stmts[big] and stmts[small]:
        per_step = [(b - s) / (big - small) for b, s in zip(stmts[big], stmts[small], strict=True)]
    figures.append(
        count_figure(
            "statements_per_replayed_step",
            "3. statements per replayed step",
            "stmt",
            per_step,
            "",
            None,
            target="0",
            check=lambda v, _r: v == 0,
            note=f"(S({big}) - S({small})) / {big - small}",
        )
    )
    progress(
        f"3. replay: {fmt(figures[0].value)} ms for {big:,} steps, {fmt(figures[1].value)} ms for"
        f" {small}; statements {fmt(figures[2].value)} / {fmt(figures[3].value)}"
    )
    return figures


# --------------------------------------------------------------------------------------------------
# 4. Throughput
# --------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------
# 5. Pickup and result latency
# --------------------------------------------------------------------------------------------------


async def fig_latency(env: Env) -> list[Figure]:
    total = 60 if env.quick else 200
    per_round = max(1, total // env.reps)
    workers = WorkerProcs(env, "pickup_wf", 1, 1)
    await workers.spawn()
    samples: list[dict[str, Any]] = []
    f1: list[float] = []
    connect_ms: list[float] = []
    try:
        await workers.ready()
        await workers.go()
        await asyncio.sleep(1.0)  # registered, listening, idle
        async with (
            await pgqrs.connect(env.bench_dsn, runner_id="bench-pickup") as store,
            await connect(env.bench_dsn) as fconn,
        ):
            admin = pgqrs.admin(store)
            i = 0
            for r in range(env.reps + 1):
                floor = await floor_ms(fconn, STEPS)
                for _ in range(5):  # what handle.result() pays first: a new connection
                    c0 = time.perf_counter()
                    await (await connect(env.bench_dsn)).close()
                    if r:
                        connect_ms.append((time.perf_counter() - c0) * 1000)
                for _ in range(per_round if r else 20):
                    await asyncio.sleep(random.uniform(0.02, 0.04))  # the worker is idle again
                    i += 1
                    t0 = time.perf_counter()
                    handle = await admin.start_workflow(flows.pickup_wf, i)
                    started = await env.obs.clock()
                    r0 = time.perf_counter()
                    out = await handle.result(timeout=30)
                    r1 = time.perf_counter()
                    returned = await env.obs.clock()
                    t1 = time.perf_counter()
                    assert out == i, out
                    if r:
                        samples.append(
                            {
                                "round": r,
                                "id": handle.id,
                                "after_start": started,
                                "after_result": returned,
                                "client_ms": (t1 - t0) * 1000,
                                "result_call_ms": (r1 - r0) * 1000,
                            }
                        )
                if r:
                    f1.append(floor)
            cur = await fconn.execute(
                "SELECT w.id, w.created_at, w.finished_at, p.step_started_at, s.started_at"
                " FROM pgqrs.workflows w"
                " JOIN bench_pickup p ON p.workflow_id = w.id"
                " JOIN pgqrs.steps s ON s.workflow_id = w.id"
                " WHERE w.id = ANY(%s)",
                ([s["id"] for s in samples],),
            )
            server = {row[0]: row[1:] for row in await cur.fetchall()}
        await workers.stop()
    finally:
        await workers.kill()

    def ms(a: datetime, b: datetime) -> float:
        return (a - b).total_seconds() * 1000

    for s in samples:
        created, finished, stamped, step_started = server[s["id"]]
        s["pickup_ms"] = ms(stamped, s["after_start"])
        s["pickup_from_created_ms"] = ms(stamped, created)
        s["acquire_from_start_ms"] = ms(step_started, s["after_start"])
        s["result_ms"] = ms(s["after_result"], finished)
    rounds = sorted({s["round"] for s in samples})

    def by_round(key: str, q: float) -> list[float]:
        return [pct([s[key] for s in samples if s["round"] == r], q) for r in rounds]

    def allq(key: str, q: float) -> float:
        return pct([s[key] for s in samples], q)

    floor = med(f1)
    figures = []
    for key, label, q, target, note in (
        (
            "pickup_ms",
            "5. pickup latency p50",
            50,
            "<= 5 ms",
            "start_workflow commit -> step starts (server clock)",
        ),
        ("pickup_ms", "5. pickup latency p99", 99, "", f"over {len(samples)} samples"),
        ("result_ms", "5. result latency p50", 50, "", "finished_at -> handle.result() returns"),
        ("result_ms", "5. result latency p99", 99, "", f"over {len(samples)} samples"),
        ("client_ms", "5. start -> result, client p50", 50, "", "start_workflow + result()"),
    ):
        value = allq(key, q)
        per = by_round(key, q)
        ratios = [p / f for p, f in zip(per, f1, strict=True)]
        ratio = med(ratios) if q == 50 else value / floor
        figures.append(
            Figure(
                key=f"{key.removesuffix('_ms')}_p{q}",
                label=label,
                unit="ms",
                value=value,
                lo=min(per) if q == 50 else None,
                hi=max(per) if q == 50 else None,
                floor_label="f1 ms",
                floor=floor,
                ratio=ratio,
                ratio_lo=min(ratios) if q == 50 else None,
                ratio_hi=max(ratios) if q == 50 else None,
                target=target,
                met=(value <= 5.0) if target else None,
                reps=len(rounds) if q == 50 else 1,
                note=note,
                raw={f"per_round_p{q}": per, "f1_ms": f1},
            )
        )
    figures[0].raw["samples"] = [
        {k: (str(v) if isinstance(v, (datetime, UUID)) else v) for k, v in s.items()}
        for s in samples
    ]
    figures[0].raw["pickup_from_created_p50_ms"] = allq("pickup_from_created_ms", 50)
    figures[0].raw["acquire_step_from_start_p50_ms"] = allq("acquire_from_start_ms", 50)
    figures[2].raw["result_call_p50_ms"] = allq("result_call_ms", 50)
    figures[2].raw["new_connection_ms"] = connect_ms
    figures[2].note += (
        f"; result() itself took {fmt(allq('result_call_ms', 50))} ms (p50), and opening a"
        f" connection {fmt(med(connect_ms))} ms"
    )
    progress(
        f"5. latency: pickup p50 {fmt(figures[0].value)} ms, p99 {fmt(figures[1].value)} ms;"
        f" result p50 {fmt(figures[2].value)} ms, p99 {fmt(figures[3].value)} ms"
    )
    return figures


# --------------------------------------------------------------------------------------------------
# 6. Storage
# --------------------------------------------------------------------------------------------------


SIZE = (
    "SELECT pg_total_relation_size(%(t)s::regclass), pg_relation_size(%(t)s::regclass),"
    " pg_indexes_size(%(t)s::regclass)"
)


async def fig_storage(env: Env) -> list[Figure]:
    db = f"{env.bench_db}_storage"
    dsn = await fresh_database(env.admin_dsn, db)
    env.dbs.append(db)
    await install(dsn)
    batches, workflows, steps = (5, 4, 500) if not env.quick else (5, 2, 200)
    per_batch = workflows * steps
    rows: list[dict[str, Any]] = []
    async with (
        await connect(dsn) as conn,
        await pgqrs.connect(dsn, runner_id="bench-storage", pool_size=workflows) as store,
    ):
        admin = pgqrs.admin(store)

        async def sizes() -> dict[str, int]:
            await conn.execute("VACUUM pgqrs.steps")
            await conn.execute("VACUUM bench_floor")
            out = {}
            for name, table in (("steps", "pgqrs.steps"), ("floor", "bench_floor")):
                row = await (await conn.execute(SIZE, {"t": table})).fetchone()
                assert row is not None
                out[f"{name}_total"], out[f"{name}_heap"], out[f"{name}_indexes"] = map(int, row)
            return out

        first = last = await sizes()
        for _ in range(batches):
            await asyncio.gather(*(make_finished(admin, steps) for _w in range(workflows)))
            await conn.execute(
                "INSERT INTO bench_floor (v)"
                " SELECT jsonb_build_object('i', g, 'ok', true) FROM generate_series(1, %s) g",
                (per_batch,),
            )
            now = await sizes()
            rows.append({k: now[k] - last[k] for k in now})
            last = now
        row = await (
            await conn.execute(
                "SELECT avg(pg_column_size(s.*)), avg(pg_column_size(s.output)) FROM pgqrs.steps s"
            )
        ).fetchone()
        assert row is not None
        tuple_bytes, output_bytes = float(row[0]), float(row[1])
    await drop_database(env.admin_dsn, db)
    env.dbs.remove(db)
    n = batches * per_batch
    step_b = [r["steps_total"] / per_batch for r in rows]
    floor_b = [r["floor_total"] / per_batch for r in rows]
    value = (last["steps_total"] - first["steps_total"]) / n
    floor = (last["floor_total"] - first["floor_total"]) / n
    ratios = paired_ratios(step_b, floor_b)
    heap = (last["steps_heap"] - first["steps_heap"]) / n
    idx = (last["steps_indexes"] - first["steps_indexes"]) / n
    fig = Figure(
        key="storage_bytes_per_step",
        label=f"6. storage per completed step ({n:,})",
        unit="B",
        value=value,
        lo=min(step_b),
        hi=max(step_b),
        floor_label="B/row plain table",
        floor=floor,
        ratio=value / floor,
        ratio_lo=min(ratios),
        ratio_hi=max(ratios),
        reps=batches,
        note=(
            f"heap {fmt(heap)} B + indexes {fmt(idx)} B; average row {fmt(tuple_bytes)} B"
            f" (output {fmt(output_bytes)} B); after VACUUM"
        ),
        raw={"batches": rows, "first": first, "last": last, "steps": n},
    )
    progress(f"6. storage: {fmt(value)} bytes per completed step (plain row {fmt(floor)} B)")
    return [fig]


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


FIGURES: dict[int, tuple[str, Callable[[Env], Awaitable[list[Figure]]]]] = {
    1: ("step cost", fig_step_cost),
    2: ("statements and commits per step", fig_counts),
    3: ("replay", fig_replay),
    4: ("throughput", fig_throughput),
    5: ("pickup latency", fig_latency),
    6: ("storage", fig_storage),
}


def git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine_info() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("pgqrs/*.py"), *ROOT.glob("sql/*.sql")]):
        digest.update(path.name.encode() + path.read_bytes())
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "loadavg_start": os.getloadavg(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "psycopg": psycopg.__version__,
        "pgqrs": pgqrs.__version__,
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty_pgqrs_sql": git("status", "--porcelain", "--", "pgqrs", "sql").splitlines(),
        "source_sha256": digest.hexdigest(),
    }


async def server_info(obs: Observer) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in (
        "server_version",
        "fsync",
        "synchronous_commit",
        "full_page_writes",
        "wal_sync_method",
        "commit_delay",
        "wal_writer_delay",
        "shared_buffers",
        "max_connections",
        "shared_preload_libraries",
    ):
        with contextlib.suppress(psycopg.Error):
            out[name] = await obs.setting(name)
    out["pg_stat_statements"] = obs.pgss
    out["pg_stat_statements.track"] = obs.track
    out["pg_stat_wal"] = obs.wal
    return out


async def run_all(
    admin_dsn: str,
    args: argparse.Namespace,
    external: bool,
    server_cpu: Callable[[], float] | None,
) -> dict[str, Any]:
    suffix = f"_{os.getpid()}" if external else ""
    bench_db, obs_db = f"pgqrs_bench{suffix}", f"pgqrs_bench_obs{suffix}"
    info = machine_info()
    results: dict[str, Any] = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "server_kind": "PGQRS_BENCH_DSN" if external else "TemporaryCluster (PostgreSQL 15)",
        "server_settings_passed": {} if external else SETTINGS,
        "repetitions": args.reps,
    }
    env_dbs = [bench_db, obs_db]
    try:
        bench_dsn = await fresh_database(admin_dsn, bench_db)
        obs_dsn = await fresh_database(admin_dsn, obs_db)
        applied = await install(bench_dsn)
        obs = Observer(obs_dsn, bench_db)
        await obs.open()
        env = Env(admin_dsn, bench_db, bench_dsn, obs_db, obs, external, args.reps, args.quick)
        env.server_cpu = server_cpu
        results["server"] = await server_info(obs)
        results["installed"] = applied
        srv = results["server"]
        progress(
            f"PostgreSQL {srv.get('server_version')} fsync={srv.get('fsync')}"
            f" synchronous_commit={srv.get('synchronous_commit')};"
            f" pg_stat_statements {'on (track=' + obs.track + ')' if obs.pgss else 'unavailable'};"
            f" nproc {info['nproc']}; {args.reps} repetitions after a warm-up"
        )
        if not obs.pgss:
            env.notes.append(
                f"statement counts are n/a: {obs.pgss_note} (load it with"
                " shared_preload_libraries = pg_stat_statements)"
            )
        elif obs.track != "all":
            env.notes.append(
                f"pg_stat_statements.track = {obs.track}: statements inside PL/pgSQL are not seen"
            )
        if srv.get("fsync") != "on" or srv.get("synchronous_commit") != "on":
            env.notes.append("the server does not run with default durability: see 'server'")
        if not obs.wal:
            env.notes.append("pg_stat_wal unavailable (PostgreSQL < 14): WAL flushes are n/a")
        figures: list[Figure] = []
        errors: dict[str, str] = {}
        wanted = args.only or sorted(FIGURES)
        for number in wanted:
            title, fn = FIGURES[number]
            progress(f"{number}. {title}: running")
            try:
                figures.extend(await fn(env))
            except Exception as exc:  # report it, carry on with the other figures
                errors[title] = f"{type(exc).__name__}: {exc}"
                progress(f"{number}. {title}: FAILED: {errors[title]}")
        await obs.close()
        results["machine"]["loadavg_end"] = os.getloadavg()
        results["figures"] = [asdict(f) for f in figures]
        results["errors"] = errors
        results["notes"] = env.notes
        results["evidence"] = env.evidence
        results["_figures"] = figures
        env_dbs += env.dbs
    finally:
        if external:
            for db in env_dbs:
                await drop_database(admin_dsn, db)
    return results


def print_report(results: dict[str, Any]) -> None:
    figures: list[Figure] = results.pop("_figures")
    info, srv = results["machine"], results.get("server", {})
    print()
    print(
        f"pgqrs benchmarks, {results['timestamp']} on {info['nproc']} CPUs ({info['cpu']}),"
        f" Python {info['python']}, PostgreSQL {srv.get('server_version', '?')}"
        f" (fsync={srv.get('fsync')}, synchronous_commit={srv.get('synchronous_commit')});"
        f" {results['repetitions']} repetitions after a warm-up (throughput: 3)"
    )
    print()
    print(render_table(figures))
    print()
    notes = [f"{f.label}: {f.note}" for f in figures if f.note]
    if notes:
        print("notes:")
        for note in notes:
            print(f"  {note}")
    for note in results.get("notes", []):
        print(f"  {note}")
    for title, err in results.get("errors", {}).items():
        print(f"  ERROR in {title}: {err}")
    missed = [f.label for f in figures if f.target and f.met is False]
    print()
    print(f"targets missed: {len(missed)}" + (f" ({'; '.join(missed)})" if missed else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions after the warm-up")
    parser.add_argument(
        "--only", type=lambda s: [int(x) for x in s.split(",")], help="figures, e.g. 1,4"
    )
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    if args.reps < 5 and not args.quick:
        parser.error("--reps must be at least 5 (use --quick for a smoke test)")
    dsn = os.environ.get("PGQRS_BENCH_DSN")
    server: Any
    if dsn:
        server = testing.ExternalServer(dsn)
        progress("server: PGQRS_BENCH_DSN")
    else:
        server = testing.TemporaryCluster(SETTINGS, version=15)
        progress("server: throwaway PostgreSQL 15 cluster (initdb)")
    with server:
        cpu = None
        if not dsn:
            pid = int((server.data_dir / "postmaster.pid").read_text().split()[0])
            cpu = ServerCPU(pid)
        results = asyncio.run(run_all(server.dsn, args, external=bool(dsn), server_cpu=cpu))
    results["duration_s"] = round(time.monotonic() - STARTED, 1)
    print_report(results)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    progress(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 1 if results.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
