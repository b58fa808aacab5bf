"""3. Replay of a workflow with 1,000 (and 100) finished steps: time, and statements sent."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import UUID

import flows
from _common import (
    STEPS,
    Env,
    Figure,
    against_floor,
    connect,
    count_figure,
    floor_ms,
    fmt,
    make_finished,
    paired_ratios,
    progress,
    rotate,
)
from observe import breakdown, med

import pgqrs

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
