"""1. Step cost: ms per step with the decorators and with the low-level API, against f1,
one autocommit INSERT of a small jsonb row, and the client and server CPU per step."""

from __future__ import annotations

import time

import flows
from _common import (
    STEPS,
    Env,
    Figure,
    against_floor,
    connect,
    cpu_now,
    floor_ms,
    fmt,
    paired_ratios,
    progress,
    rotate,
    run_decorators,
    summary,
)
from observe import exec_times, med

import pgqrs


async def run_lowlevel(admin: pgqrs.Admin, n: int) -> tuple[float, float, float]:
    """ms for ``n`` acquire_step + guard.success pairs (the implicit lease acquire included), and
    the ms spent in acquire_step and in success."""
    ctx = await admin.create_workflow("lowlevel_wf", n)
    acquire = success = 0.0
    start = time.perf_counter()
    for i in range(n):
        a = time.perf_counter()
        step = await ctx.acquire_step(f"noop-{i}")
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
