"""11. Claims with queues: one and two worker processes at concurrency 1 through 1,000 one-step
workflows in a queue whose global concurrency limit does not bind (1,000), against the same in
the default queue (no limits), as issue 15 asks; one worker in a queue whose rate limit does not
bind either (10,000 starts a second); and one worker in the limited queue of a database where
100,000 other workflows wait in 10 other queues and 10,000 more under 1,000 concurrency keys of
another queue, against an empty database. Each is a ratio to its floor measured in the same
repetition.

A claim looks only at the queues its worker's names are queued in (``pgqrs.queue_names``), so
neither the backlog of other queues nor the keys of another queue should cost it anything, and
a limit that does not bind costs the slot (or the permit) a claim takes: one index probe and
one row update each, and the slot given back when the run ends. The claims' server time
(``pg_stat_statements``) is reported next to the throughput.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from _common import (
    Env,
    Figure,
    against_floor,
    connect,
    fmt,
    fresh_database,
    install,
    progress,
    rotate,
)

import pgqrs
from figures.large import throughput

#: The queues whose limits do not bind, and their settings (set_queue's keyword arguments).
LIMITED = "bench_limited"
RATED = "bench_rated"
LIMITS: dict[str, dict[str, Any]] = {
    LIMITED: {"concurrency": 1000},
    RATED: {"concurrency": 1000, "rate": "10000/1s"},
}
#: Workflows per throughput run.
THROUGHPUT = {False: 1000, True: 200}
#: The other queues' backlog: (queues, workflows per queue, keys, workflows per key).
BACKLOG = {False: (10, 10_000, 1000, 10), True: (5, 2_000, 100, 2)}
#: (database, queue, worker processes) of each run; None: the default queue.
Run = tuple[str, str | None, int]
RUNS: tuple[Run, ...] = (
    ("empty", None, 1),
    ("empty", LIMITED, 1),
    ("empty", None, 2),
    ("empty", LIMITED, 2),
    ("empty", RATED, 1),
    ("large", LIMITED, 1),
)
CLAIM_CALL = "pgqrs.claim("


def starter(queue: str | None) -> Callable[[str, str, int], Awaitable[None]]:
    """Starts ``n`` workflows of ``name`` in ``queue`` with one ``admin.start_workflows``."""

    async def start(dsn: str, name: str, n: int) -> None:
        async with await pgqrs.connect(dsn, runner_id="bench-start", pool_size=1) as store:
            options = {} if queue is None else {"queue": queue}
            await pgqrs.admin(store).start_workflows(name, range(n), **options)

    return start


async def fill_queues(dsn: str, quick: bool) -> dict[str, Any]:
    """The backlog of the large database, through the API: ``queues`` queues of ``per_queue``
    PENDING workflows each (every other one with a concurrency limit of 4), and one queue with
    ``key_concurrency`` 1 holding ``per_key`` workflows under each of ``keys`` keys."""
    queues, per_queue, keys, per_key = BACKLOG[quick]
    t0 = time.perf_counter()
    async with await pgqrs.connect(dsn, runner_id="bench-fill", pool_size=1) as store:
        admin = pgqrs.admin(store)
        for q in range(queues):
            if q % 2:
                await admin.set_queue(f"other_{q}", concurrency=4)
            await admin.start_workflows(f"backlog_{q}", range(per_queue), queue=f"other_{q}")
        await admin.set_queue("keyed", key_concurrency=1)
        for k in range(keys):
            await admin.start_workflows(
                "keyed_wf", range(per_key), queue="keyed", concurrency_key=f"tenant-{k}"
            )
    async with await connect(dsn) as conn:
        await conn.execute("VACUUM (ANALYZE) pgqrs.workflows")
        row = await (
            await conn.execute(
                "SELECT (SELECT count(*) FROM pgqrs.workflows),"
                " (SELECT count(*) FROM pgqrs.queue_keys),"
                " (SELECT count(DISTINCT queue) FROM pgqrs.workflows)"
            )
        ).fetchone()
    assert row is not None
    return {
        "seconds": round(time.perf_counter() - t0, 2),
        "workflows": row[0],
        "keys": row[1],
        "queues": row[2],
    }


async def fig_queues(env: Env) -> list[Figure]:
    dbs = {k: f"{env.bench_db}_q_{k}" for k in ("empty", "large")}
    dsns = {}
    for kind, db in dbs.items():
        dsns[kind] = await fresh_database(env.admin_dsn, db)
        env.dbs.append(db)
        await install(dsns[kind])
        async with await pgqrs.connect(dsns[kind], runner_id="bench-queues") as store:
            for queue, settings in LIMITS.items():
                await pgqrs.admin(store).set_queue(queue, **settings)
    queues, per_queue, keys, per_key = BACKLOG[env.quick]
    progress(
        f"11. filling {queues * per_queue:,} workflows in {queues} other queues and"
        f" {keys * per_key:,} under {keys:,} keys of another"
    )
    filled = await fill_queues(dsns["large"], env.quick)
    progress(
        f"11. filled in {filled['seconds']:.1f} s: {filled['workflows']:,} workflows,"
        f" {filled['keys']:,} keys, {filled['queues']} queues"
    )
    n = THROUGHPUT[env.quick]
    rate: dict[Run, list[float]] = {run: [] for run in RUNS}
    claim: dict[Run, list[float]] = {run: [] for run in RUNS}
    for r in range(env.reps + 1):
        got: dict[Run, tuple[float, float | None]] = {}
        for run in rotate(RUNS, r):
            kind, queue, procs = run
            before = await env.obs.calls_in(dbs[kind], CLAIM_CALL)
            wf_s = await throughput(
                env,
                dsns[kind],
                f"bench_q11_r{r}_{queue or 'default'}_{procs}",
                n,
                starter(queue),
                processes=procs,
            )
            after = await env.obs.calls_in(dbs[kind], CLAIM_CALL)
            server = None
            if before is not None and after is not None and after[0] > before[0]:
                server = (after[1] - before[1]) / (after[0] - before[0])
            got[run] = wf_s, server
        progress(
            f"   queues {'warm-up' if r == 0 else f'rep {r}'}: "
            + ", ".join(
                f"{kind}/{queue or 'default'}/{procs}w {got[(kind, queue, procs)][0]:.0f} wf/s"
                f" (claim {fmt(got[(kind, queue, procs)][1])} ms)"
                for kind, queue, procs in RUNS
            )
        )
        if r:
            for run, (wf_s, server) in got.items():
                rate[run].append(wf_s)
                if server is not None:
                    claim[run].append(server)
    plain, limited, plain2, limited2, rated, large = RUNS
    size = f"{queues * per_queue // 1000:,}k in {queues} other queues + {keys:,} keys"
    concurrency = f"concurrency {LIMITS[LIMITED]['concurrency']:,}"
    rated_limits = f"{concurrency}, rate {LIMITS[RATED]['rate']}"
    figures = [
        Figure(
            key="queues_fill",
            label=f"11. fill {size}",
            unit="s",
            value=filled["seconds"],
            note=(
                f"admin.start_workflows and set_queue, then VACUUM (ANALYZE):"
                f" {filled['workflows']:,} workflows, {filled['keys']:,} keys of queue 'keyed'"
            ),
            raw=filled,
        )
    ]
    rows: tuple[tuple[str, str, Run, Run, str, float | None], ...] = (
        (
            "limited",
            f"throughput 1x1, a global limit that does not bind ({concurrency})",
            limited,
            plain,
            "default queue",
            0.9,
        ),
        (
            "limited_2",
            f"throughput 2x1, a global limit that does not bind ({concurrency})",
            limited2,
            plain2,
            "default queue, 2 workers",
            0.9,
        ),
        (
            "rated",
            f"throughput 1x1, a rate limit that does not bind either ({rated_limits})",
            rated,
            plain,
            "default queue",
            None,
        ),
        (
            "large",
            f"throughput 1x1, the limited queue, {size}",
            large,
            limited,
            "empty DB",
            1 / 1.2,
        ),
    )
    for key, label, run, floor, floor_label, target in rows:
        figures.append(
            against_floor(
                f"queues_throughput_{key}",
                f"11. {label}",
                "wf/s",
                rate[run],
                rate[floor],
                f"wf/s, {floor_label}",
                target="" if target is None else f">= {target:.2g}x",
                note=f"{n:,} one-step workflows per run, started with one start_workflows",
                raw={"values": rate[run], "floor": rate[floor]},
            )
        )
        fig = figures[-1]
        if target is not None:
            fig.met = fig.ratio is not None and fig.ratio >= target
        if claim[run] and len(claim[run]) == len(claim[floor]):
            figures.append(
                against_floor(
                    f"queues_claim_server_{key}",
                    f"11. claim, server time: {key.replace('_', ' ')}",
                    "ms",
                    claim[run],
                    claim[floor],
                    f"ms, {floor_label}",
                    note="pg_stat_statements mean_exec_time of pgqrs.claim during the run",
                    raw={"values": claim[run], "floor": claim[floor]},
                )
            )
    progress(
        "11. claims with queues: "
        + ", ".join(
            f"{f.label[4:]} {fmt(f.value)} {f.unit} ({fmt(f.ratio)}x)"
            for f in figures[1:]
            if f.ratio is not None
        )
    )
    return figures
