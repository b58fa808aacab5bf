"""7. Retention's cost to the hot path: step cost and one-worker throughput while a pruner
deletes a backlog of old finished workflows in another session, each as a ratio to the same
figure measured without pruning in the same run.

Two pruners, each on its own connection calling ``pgqrs.prune(interval '30 days', 1000)``:

- **paced**, as a worker's background pruner runs with the default options: after each batch
  it waits as long as the batch took, and at least 1 s;
- **flat out**, batch after batch with no pause (``pgqrs prune --pause 0``), the worst case.

Each repetition measures a quiet phase and one phase per pruner, in an order that rotates.
Before a pruning phase the benchmark inserts a fresh backlog of old SUCCESS workflows of three
steps each (untimed, with plain INSERTs: made by the API they would take minutes), large enough
that the pruner is still busy when the phase ends (checked; a backlog that ran out is
reported). Each backlog finished after the one before (a microsecond apart per workflow), as
real finished workflows do, so that a pass of the pruner meets them in order. The throughput
run's workflows are queued and its worker process started before the pruner starts, so that
only the measured parts run under it.

The figure runs with ``jit = off`` in the benchmark database: on this 0.2.0 code every
``pgqrs.claim`` pays a JIT compile of 100-300 ms (its ``enable_sort = off`` makes a sorted query's
estimate huge), which would hide anything pruning does. The setting is reset afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from _common import (
    STEPS,
    Env,
    Figure,
    WorkerProcs,
    against_floor,
    connect,
    fmt,
    paired_ratios,
    progress,
    rotate,
    run_decorators,
    summary,
)
from observe import med
from psycopg import sql

import pgqrs
from figures.throughput import POLL, enqueue

BATCH = 1000
PACE = 1.0  # a worker's default pause: at least this, and at least the batch's own time
PRUNE = "SELECT workflows, steps, more, busy FROM pgqrs.prune(interval '30 days', %s)"
BACKLOG = """
WITH w AS (
    INSERT INTO pgqrs.workflows (id, name, status, input, output, created_at, updated_at,
                                 started_at, finished_at)
    SELECT pgqrs._uuid_v7(), 'bench_old', 'SUCCESS', '{"i": 1}', '{"ok": true}', t, t, t, t
      FROM (SELECT now() - interval '60 days' + g * interval '1 microsecond' AS t
              FROM generate_series(1, %(n)s) g) s
    RETURNING id, created_at)
INSERT INTO pgqrs.steps (workflow_id, step_key, status, output, lease_token, started_at,
                         finished_at, position)
SELECT w.id, 'step' || k, 'SUCCESS', '{"i": 1, "ok": true}', 1, w.created_at, w.created_at, k
  FROM w, generate_series(1, 3) k
"""


class Pruner:
    """``pgqrs.prune`` in a loop on its own connection, until stopped or nothing is left;
    ``paced``: after each batch, wait as long as it took and at least :data:`PACE` seconds."""

    def __init__(self, env: Env, paced: bool) -> None:
        self.env = env
        self.paced = paced
        self.deleted = 0
        self.rows = 0
        self.ran_out = False
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._t0 = time.perf_counter()

    async def start(self) -> None:
        self._conn = await connect(self.env.bench_dsn)
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0.2)  # under way
        self.deleted = self.rows = 0
        self._t0 = time.perf_counter()

    async def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            cur = await self._conn.execute(PRUNE, (BATCH,))
            row = await cur.fetchone()
            assert row is not None
            workflows, steps, more, busy = row
            assert not busy, "another pruner in the benchmark database"
            self.deleted += workflows
            self.rows += workflows + steps
            if not more:
                self.ran_out = True
                return
            if self.paced:
                pause = max(PACE, time.perf_counter() - started)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), pause)

    async def stop(self) -> dict[str, float]:
        """Stop after the batch in flight: workflows and rows deleted since :meth:`start`
        returned, and the seconds since."""
        assert self._task is not None
        self._stop.set()
        await self._task
        await self._conn.close()
        return {
            "workflows": self.deleted,
            "rows": self.rows,
            "seconds": time.perf_counter() - self._t0,
        }


async def measure_phase(
    env: Env, admin: pgqrs.Admin, poller: Any, n: int, name: str, pruner: Pruner | None
) -> tuple[float, float, dict[str, float] | None]:
    """ms per step (the median of 3 workflows of 100 steps) and the workflows per second of one
    worker process at concurrency 1 running ``n`` one-step workflows, under ``pruner`` if any
    (started once the workflows are queued and the worker is ready)."""
    workers = WorkerProcs(env, name, 1, 1)
    await workers.spawn()
    pruned = None
    try:
        await enqueue(env, name, n)
        await workers.ready()
        if pruner is not None:
            await pruner.start()
        ms = med([await run_decorators(admin, STEPS) / STEPS for _ in range(3)])
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
        if pruner is not None:
            pruned = await pruner.stop()
        await workers.stop()
    finally:
        await workers.kill()
    return ms, n / elapsed, pruned


async def fig_retention(env: Env) -> list[Figure]:
    async with await connect(env.bench_dsn) as conn:
        await conn.execute(
            sql.SQL("ALTER DATABASE {} SET jit = off").format(sql.Identifier(env.bench_db))
        )
    try:
        return await _measure(env)
    finally:
        async with await connect(env.bench_dsn) as conn:
            await conn.execute(
                sql.SQL("ALTER DATABASE {} RESET jit").format(sql.Identifier(env.bench_db))
            )


PHASES = ("quiet", "paced", "flat")
LABELS = {"paced": "a paced pruner (a worker's)", "flat": "a flat-out pruner"}


async def _measure(env: Env) -> list[Figure]:
    n = 200 if env.quick else 1000
    backlog = {"paced": 10_000, "flat": 40_000 if env.quick else 200_000}
    step: dict[str, list[float]] = {p: [] for p in PHASES}
    rate: dict[str, list[float]] = {p: [] for p in PHASES}
    pruned: dict[str, list[dict[str, float]]] = {p: [] for p in PHASES}
    async with (
        await pgqrs.connect(env.bench_dsn, runner_id="bench-retention") as store,
        await connect(env.bench_dsn) as poller,
    ):
        admin = pgqrs.admin(store)
        for r in range(env.reps + 1):
            for phase in rotate(PHASES, r):
                pruner = None
                if phase != "quiet":
                    await poller.execute(BACKLOG, {"n": backlog[phase]})
                    await poller.execute("ANALYZE pgqrs.workflows, pgqrs.steps")
                    pruner = Pruner(env, paced=phase == "paced")
                ms, wf_s, done = await measure_phase(
                    env, admin, poller, n, f"bench_ret_r{r}_{phase}", pruner
                )
                note = ""
                if done is not None and pruner is not None:
                    note = f", pruned {done['workflows']:,.0f} workflows in {done['seconds']:.1f}s"
                    if pruner.ran_out:
                        env.notes.append(f"9. retention rep {r}, {phase}: the backlog ran out")
                        note += " (RAN OUT)"
                progress(
                    f"   retention {phase} {'warm-up' if r == 0 else f'rep {r}'}:"
                    f" {fmt(ms)} ms/step, {wf_s:.0f} workflows/s{note}"
                )
                if r:
                    step[phase].append(ms)
                    rate[phase].append(wf_s)
                    if done is not None:
                        pruned[phase].append(done)
    figures = []
    for phase in ("paced", "flat"):
        step_ratios = paired_ratios(step[phase], step["quiet"])
        rate_ratios = paired_ratios(rate[phase], rate["quiet"])
        targeted = phase == "paced"  # the flat-out pruner is the worst case: no target
        figures += [
            against_floor(
                f"retention_step_cost_{phase}",
                f"7. step cost while {LABELS[phase]} runs",
                "ms/step",
                step[phase],
                step["quiet"],
                "ms/step, no pruning",
                target="<= 1.25x" if targeted else "",
                met=(med(step_ratios) <= 1.25) if targeted else None,
                note="decorators, 100 steps, the median of 3 workflows per phase",
                raw={"values": step[phase], "quiet": step["quiet"], "ratios": step_ratios},
            ),
            against_floor(
                f"retention_throughput_{phase}",
                f"7. throughput 1x1 while {LABELS[phase]} runs",
                "wf/s",
                rate[phase],
                rate["quiet"],
                "wf/s, no pruning",
                target=">= 0.8x" if targeted else "",
                met=(med(rate_ratios) >= 0.8) if targeted else None,
                note=f"{n:,} one-step workflows per phase, one worker process at concurrency 1",
                raw={"values": rate[phase], "quiet": rate["quiet"], "ratios": rate_ratios},
            ),
        ]
        per_s = [p["workflows"] / p["seconds"] for p in pruned[phase]]
        rows_s = [p["rows"] / p["seconds"] for p in pruned[phase]]
        v, lo, hi = summary(per_s)
        how = (
            f"a pause as long as the batch and at least {PACE:g} s"
            if phase == "paced"
            else "no pause"
        )
        figures.append(
            Figure(
                f"retention_pruned_{phase}",
                f"7. pruned meanwhile, {phase}",
                "wf/s",
                v,
                lo,
                hi,
                reps=len(per_s),
                note=(
                    f"{fmt(med(rows_s))} rows/s; batches of {BATCH} trees, {how}; a backlog of"
                    f" {backlog[phase]:,} workflows of 3 steps per phase; jit = off"
                ),
                raw={"phases": pruned[phase]},
            )
        )
    progress(
        "7. retention: "
        + "; ".join(
            f"{f.label.split('while ')[-1].removesuffix(' runs')}: x{fmt(f.ratio)}"
            for f in figures
            if f.ratio is not None
        )
    )
    return figures
