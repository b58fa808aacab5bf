"""5. Pickup latency of an idle worker, and result latency of ``handle.result()``."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import datetime
from typing import Any
from uuid import UUID

import flows
from _common import (
    STEPS,
    Env,
    Figure,
    WorkerProcs,
    connect,
    floor_ms,
    fmt,
    progress,
)
from observe import med, pct

import pgqrs


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
