"""12 and 13. Scale-out through a PL/Proxy proxy (docs/scale-out.md).

12. Step cost through a proxy over three shards, as a ratio to the same steps on one database
    directly (interleaved repetitions, each of 4 workflows of 100 steps per kind, taken in
    turns): what the hop through PL/Proxy costs a step, and the CPU it takes.
13. Throughput of one-step workflows through a proxy over 1, 2 and 3 shards, as ratios to one
    database used directly, in one run: one worker process at concurrency 8, workflows started
    one by one from 8 tasks (so that they spread over the shards).

All the databases live on the benchmark's one server: the shards share its CPU and disk, so
figure 13 shows what the proxy costs and that spreading work over shards keeps every shard
busy, not what separate machines would add. Needs PL/Proxy on the server
(postgresql-15-plproxy); without it both figures fail with that reason.
"""

from __future__ import annotations

import asyncio
import time

import psycopg
from _common import (
    STEPS,
    Env,
    Figure,
    WorkerProcs,
    against_floor,
    cpu_now,
    fmt,
    fresh_database,
    install,
    paired_ratios,
    progress,
    rotate,
    run_decorators,
)
from observe import med

import pgqrs
from pgqrs._cluster import init_cluster

#: Whether workflows of a name are still to run: two index probes per shard (through the proxy's
#: merged listing, or one database's), not a count of the whole table.
REMAINING = (
    "SELECT (SELECT count(*) FROM pgqrs.list_workflows_page(p_status => 'PENDING',"
    " p_name => %(name)s, p_limit => 1))"
    " + (SELECT count(*) FROM pgqrs.list_workflows_page(p_status => 'RUNNING',"
    " p_name => %(name)s, p_limit => 1))"
)
DONE = (
    "SELECT coalesce(sum(count), 0) FROM pgqrs.workflow_counts()"
    " WHERE name = %s AND status = 'SUCCESS'"
)


async def make_cluster(env: Env, shards: int) -> str:
    """A cluster of ``shards`` fresh databases and a proxy on the benchmark's server; its DSN."""
    names = [f"{env.bench_db}_c{shards}_s{n}" for n in range(shards)]
    proxy_name = f"{env.bench_db}_c{shards}_p"
    shard_dsns = []
    for name in names:
        shard_dsns.append(await fresh_database(env.admin_dsn, name))
        await install(shard_dsns[-1])
    proxy = await fresh_database(env.admin_dsn, proxy_name)
    env.dbs += [proxy_name, *names]
    await asyncio.to_thread(init_cluster, proxy, shard_dsns)  # installs the proxy's script
    return proxy


#: Workflows of STEPS steps per kind and repetition in figure 12, taken in turns: a repetition of
#: one workflow lasts 0.1-0.4 s, short enough for one burst of the machine's noise to decide it.
ROUNDS = 4


async def fig_proxy_step_cost(env: Env) -> list[Figure]:
    proxy = await make_cluster(env, 3)
    kinds = ["direct", "proxy"]
    data: dict[str, list[float]] = {k: [] for k in kinds}
    cpu: dict[str, list[float]] = {f"{k}_{w}": [] for k in kinds for w in ("client", "server")}
    steps = ROUNDS * STEPS
    async with (
        await pgqrs.connect(env.bench_dsn, runner_id="bench-direct") as direct,
        await pgqrs.connect(proxy, runner_id="bench-proxy") as through,
    ):
        admins = {"direct": pgqrs.admin(direct), "proxy": pgqrs.admin(through)}
        for r in range(env.reps + 1):
            sample = dict.fromkeys([*data, *cpu], 0.0)
            for i in range(ROUNDS):
                for k in rotate(kinds, r + i):
                    c0, s0 = cpu_now(env)
                    sample[k] += await run_decorators(admins[k], STEPS) / steps
                    c1, s1 = cpu_now(env)
                    sample[f"{k}_client"] += (c1 - c0) * 1000 / steps
                    sample[f"{k}_server"] += (s1 - s0) * 1000 / steps
            if r:
                for key, value in sample.items():
                    (data[key] if key in data else cpu[key]).append(value)
    ratios = paired_ratios(data["proxy"], data["direct"])
    figure = against_floor(
        "proxy_step_cost",
        "12. step cost through a proxy (3 shards)",
        "ms/step",
        data["proxy"],
        data["direct"],
        "direct ms",
        note=(
            f"{ROUNDS} workflows of {STEPS} decorator steps per repetition, in turns with the same"
            " on one database directly; CPU per step: client"
            f" {fmt(med(cpu['proxy_client']))} ms, server {fmt(med(cpu['proxy_server']))} ms"
            f" (direct: {fmt(med(cpu['direct_client']))} / {fmt(med(cpu['direct_server']))} ms)"
        ),
        raw={
            "ms_per_step": data["proxy"],
            "direct_ms_per_step": data["direct"],
            "ratios": ratios,
            **{f"{k}_cpu_ms_per_step": v for k, v in cpu.items()},
        },
    )
    progress(
        f"12. step cost through a proxy: {fmt(figure.value)} ms/step,"
        f" {fmt(figure.ratio)}x direct ({fmt(figure.floor)} ms)"
    )
    return [figure]


async def start_many(dsn: str, name: str, n: int) -> None:
    """``n`` workflows, started one by one from 8 tasks (each placed on a shard at random)."""
    async with await pgqrs.connect(dsn, runner_id="bench-start", pool_size=8) as store:
        admin = pgqrs.admin(store)
        left = list(range(n))

        async def starter() -> None:
            while left:
                await admin.start_workflow(name, left.pop())

        await asyncio.gather(*(starter() for _ in range(8)))


async def throughput(env: Env, dsn: str, name: str, n: int) -> tuple[float, float, float]:
    """Workflows per second of one worker process at concurrency 8 through ``dsn``, and the CPU
    per workflow (ms) of the worker and of the server (every database, the proxy's included)."""
    workers = WorkerProcs(env, name, 1, 8, dsn=dsn)
    await workers.spawn()
    try:
        await start_many(dsn, name, n)
        await workers.ready()
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as poller:
            deadline = time.monotonic() + max(120.0, n / 20)
            _, server0 = cpu_now(env)
            start = time.perf_counter()
            await workers.go()
            while True:
                await asyncio.sleep(0.1)
                row = await (await poller.execute(REMAINING, {"name": name})).fetchone()
                if row is not None and row[0] == 0:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name}: {row} of {n} workflows still open")
            elapsed = time.perf_counter() - start
            done = await (await poller.execute(DONE, (name,))).fetchone()
        executed, worker_cpu = await workers.stop()
        _, server1 = cpu_now(env)
    finally:
        await workers.kill()
    if done is None or done[0] != n:
        raise AssertionError(f"{name}: {done} of {n} workflows SUCCESS")
    if executed != n:
        env.notes.append(f"WARNING: {name}: {executed} step bodies ran for {n} workflows")
    return n / elapsed, worker_cpu * 1000 / n, (server1 - server0) * 1000 / n


async def fig_shards_throughput(env: Env) -> list[Figure]:
    n = 400 if env.quick else 2000
    reps = 3
    targets: dict[str, str] = {"direct": env.bench_dsn}
    for shards in (1, 2, 3):
        targets[f"{shards} shard{'s' if shards > 1 else ''}"] = await make_cluster(env, shards)
    kinds = list(targets)
    rates: dict[str, list[float]] = {k: [] for k in kinds}
    worker_cpu: dict[str, list[float]] = {k: [] for k in kinds}
    server_cpu: dict[str, list[float]] = {k: [] for k in kinds}
    for r in range(reps + 1):
        for kind in rotate(kinds, r):
            name = f"bench_so_{kind.split()[0]}_{r}"
            rate, wcpu, scpu = await throughput(env, targets[kind], name, n if r else n // 4)
            progress(f"   13. {kind} {'warm-up' if r == 0 else f'rep {r}'}: {rate:.0f} workflows/s")
            if r:
                rates[kind].append(rate)
                worker_cpu[kind].append(wcpu)
                server_cpu[kind].append(scpu)
    figures = []
    for kind in kinds[1:]:
        figures.append(
            against_floor(
                f"proxy_throughput_{kind.split()[0]}",
                f"13. throughput through a proxy, {kind}",
                "wf/s",
                rates[kind],
                rates["direct"],
                "direct wf/s",
                note=(
                    f"{n:,} one-step workflows per rep, 1 worker x concurrency 8, {reps} reps"
                    " after a warm-up, interleaved with one database directly; every database"
                    " on one server; CPU per workflow: worker"
                    f" {fmt(med(worker_cpu[kind]))} ms, server {fmt(med(server_cpu[kind]))} ms"
                    f" (direct: {fmt(med(worker_cpu['direct']))} /"
                    f" {fmt(med(server_cpu['direct']))} ms)"
                ),
                raw={
                    "per_second": rates[kind],
                    "direct_per_second": rates["direct"],
                    "worker_cpu_ms_per_workflow": worker_cpu[kind],
                    "server_cpu_ms_per_workflow": server_cpu[kind],
                    "direct_worker_cpu_ms_per_workflow": worker_cpu["direct"],
                    "direct_server_cpu_ms_per_workflow": server_cpu["direct"],
                },
            )
        )
    env.evidence["proxy_throughput_direct_wf_per_s"] = rates["direct"]
    progress(
        "13. throughput through a proxy: direct "
        + fmt(med(rates["direct"]))
        + " wf/s; "
        + ", ".join(f"{k}: {fmt(med(rates[k]))} wf/s" for k in kinds[1:])
    )
    return figures
