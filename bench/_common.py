"""What the figures of ``make bench`` share: the :class:`Figure` each of them reports and the
statistics behind it, the run's :class:`Env` and database helpers, the floor f1, the units of work
that several figures run, and the worker processes of figures 4 and 5.

bench/run.py puts bench/ on ``sys.path``; the figure modules import this module from there, as
they import flows.py and observe.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import flows
import psycopg
from observe import Observer, med
from psycopg import sql

import pgqrs
from pgqrs import _sql, testing

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

T = TypeVar("T")

FLOOR_TABLE = "bench_floor"
FLOOR_INSERT = "INSERT INTO bench_floor (v) VALUES (%s::jsonb)"

#: Steps per timed unit (figures 1 and 2), and inserts per measurement of f1.
STEPS = 100

STARTED = time.monotonic()


def progress(msg: str) -> None:
    print(f"[bench {time.monotonic() - STARTED:6.1f}s] {msg}", file=sys.stderr, flush=True)


def rotate(items: Sequence[T], r: int) -> list[T]:
    """The items in a different order each repetition, so no kind always runs first."""
    k = r % len(items)
    return [*items[k:], *items[:k]]


def encode(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


# --------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------


@dataclass
class Figure:
    key: str
    label: str
    unit: str
    value: float | None
    lo: float | None = None
    hi: float | None = None
    floor_label: str = ""
    floor: float | None = None
    ratio: float | None = None
    ratio_lo: float | None = None
    ratio_hi: float | None = None
    target: str = ""
    met: bool | None = None  # None: no target, or not measurable
    reps: int = 0
    note: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


def summary(values: list[float]) -> tuple[float, float, float]:
    return med(values), min(values), max(values)


def paired_ratios(values: list[float], floors: list[float]) -> list[float]:
    return [v / f for v, f in zip(values, floors, strict=True) if f]


def against_floor(
    key: str,
    label: str,
    unit: str,
    values: list[float],
    floors: list[float],
    floor_label: str,
    **extra: Any,
) -> Figure:
    """A timed figure: the median and range of ``values``, the median floor, and the median and
    range of the per-repetition ratios. ``extra`` sets the other Figure fields (target, met,
    note, raw...); ``reps`` defaults to the number of ratios."""
    v, lo, hi = summary(values)
    ratios = paired_ratios(values, floors)
    rv, rlo, rhi = summary(ratios)
    extra.setdefault("reps", len(ratios))
    return Figure(
        key=key,
        label=label,
        unit=unit,
        value=v,
        lo=lo,
        hi=hi,
        floor_label=floor_label,
        floor=med(floors),
        ratio=rv,
        ratio_lo=rlo,
        ratio_hi=rhi,
        **extra,
    )


def count_figure(
    key: str,
    label: str,
    unit: str,
    values: list[float] | None,
    floor_label: str,
    floors: list[float] | None,
    *,
    target: str = "",
    check: Callable[[float, float], bool] | None = None,
    note: str = "",
) -> Figure:
    if not values:
        return Figure(key, label, unit, None, target=target, note=note or "n/a", met=None)
    v, lo, hi = summary(values)
    fig = Figure(key, label, unit, v, lo, hi, target=target, reps=len(values), note=note)
    fig.raw = {"per_step": values}
    if floors:
        ratios = paired_ratios(values, floors)
        fig.floor_label, fig.floor = floor_label, med(floors)
        if ratios:
            fig.ratio, fig.ratio_lo, fig.ratio_hi = summary(ratios)
        fig.raw["floor_per_insert"] = floors
        fig.raw["ratios"] = ratios
    if check is not None:
        fig.met = check(v, fig.ratio if fig.ratio is not None else math.nan)
    return fig


def fmt(x: float | None, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    ax = abs(x)
    if ax >= 1000:
        s = f"{x:,.0f}"
    elif ax >= 100:
        s = f"{x:.0f}"
    elif ax >= 10:
        s = f"{x:.1f}"
    else:
        s = f"{x:.2f}"
    return f"{s}{unit}"


# --------------------------------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------------------------------


@dataclass
class Env:
    admin_dsn: str
    bench_db: str
    bench_dsn: str
    obs_db: str
    obs: Observer
    external: bool
    reps: int
    quick: bool
    server_cpu: Callable[[], float] | None = None
    notes: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    dbs: list[str] = field(default_factory=list)

    @property
    def counting(self) -> bool:
        return self.obs.pgss


async def connect(dsn: str) -> psycopg.AsyncConnection[Any]:
    return await psycopg.AsyncConnection.connect(dsn, autocommit=True)


async def fresh_database(env_admin_dsn: str, name: str) -> str:
    async with await connect(env_admin_dsn) as conn:
        await conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        await conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return testing.dsn_for(env_admin_dsn, name)


async def drop_database(admin_dsn: str, name: str) -> None:
    with contextlib.suppress(psycopg.Error):
        async with await connect(admin_dsn) as conn:
            await conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


async def install(dsn: str) -> list[str]:
    """A fresh pgqrs install with ``admin.install()``, plus the benchmark's own tables."""
    async with await pgqrs.connect(dsn, runner_id="bench-install") as store:
        applied = await pgqrs.admin(store).install()
    async with await connect(dsn) as conn:
        await conn.execute(
            "CREATE TABLE bench_floor (id bigserial PRIMARY KEY, v jsonb NOT NULL);"
            "CREATE TABLE bench_pickup (workflow_id uuid PRIMARY KEY,"
            " step_started_at timestamptz NOT NULL)"
        )
    return applied


async def floor_ms(conn: psycopg.AsyncConnection[Any], n: int) -> float:
    """f1: ms per autocommit INSERT of a small jsonb row (the average over ``n``)."""
    start = time.perf_counter()
    for i in range(n):
        await conn.execute(FLOOR_INSERT, (encode(flows.payload(i)),))
    return (time.perf_counter() - start) * 1000 / n


def cpu_now(env: Env) -> tuple[float, float]:
    """(CPU seconds of this process, CPU seconds of the local server or NaN)."""
    return time.process_time(), env.server_cpu() if env.server_cpu else math.nan


# --------------------------------------------------------------------------------------------------
# Units of work that several figures run
# --------------------------------------------------------------------------------------------------


async def run_decorators(admin: pgqrs.Admin, n: int) -> float:
    """ms for one @workflow of ``n`` @step calls (the lease acquire and the completion included)."""
    ctx = await admin.create_workflow("steps_wf", n)
    start = time.perf_counter()
    out = await flows.steps_wf(ctx, n)
    elapsed = time.perf_counter() - start
    assert out == n, out
    return elapsed * 1000


async def make_finished(admin: pgqrs.Admin, n: int) -> UUID:
    """A RUNNING workflow whose ``n`` steps all succeeded under the keys the ``@step noop`` of
    ``replay_wf`` uses (noop, noop#2, ...), lease released: recorded with the SQL calls a runner
    makes (the low-level API names steps exactly, so it cannot make repeat keys)."""
    ctx = await admin.create_workflow("replay_wf", n)
    store = admin.store
    token = (
        await store.call(_sql.ACQUIRE_WORKFLOW, (ctx.id, store.runner_id, store.lease_seconds))
    )[0][1]
    for i in range(n):
        key = "noop" if i == 0 else f"noop#{i + 1}"
        await store.call(
            _sql.RECORD_STEP, (ctx.id, key, token, i + 1, json.dumps(flows.payload(i)), 0.0)
        )
    await store.call(_sql.RELEASE_WORKFLOW, (ctx.id, token))
    return ctx.id


# --------------------------------------------------------------------------------------------------
# Worker processes (figures 4, 5, 7 and 8)
# --------------------------------------------------------------------------------------------------


class WorkerProcs:
    """Worker processes running bench/worker.py, started and stopped through their stdin; they
    connect to the benchmark database, or to ``dsn``."""

    def __init__(
        self, env: Env, workflow: str, procs: int, concurrency: int, dsn: str | None = None
    ) -> None:
        self.env = env
        self.dsn = dsn or env.bench_dsn
        self.workflow = workflow
        self.n = procs
        self.concurrency = concurrency
        self.pool_size = concurrency + 1
        self.procs: list[asyncio.subprocess.Process] = []

    async def spawn(self) -> None:
        environ = dict(os.environ, BENCH_WORKER_DSN=self.dsn)
        for j in range(self.n):
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                str(HERE / "worker.py"),
                f"{self.workflow}-w{j}",
                self.workflow,
                "--concurrency",
                str(self.concurrency),
                "--pool-size",
                str(self.pool_size),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=environ,
            )
            self.procs.append(proc)

    async def ready(self) -> None:
        for proc in self.procs:
            assert proc.stdout is not None
            line = await asyncio.wait_for(proc.stdout.readline(), 60.0)
            if line.strip() != b"ready":
                raise RuntimeError(f"worker did not start: {line!r}")

    async def go(self) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
        for proc in self.procs:
            assert proc.stdin is not None
            await proc.stdin.drain()

    async def stop(self) -> tuple[int, float]:
        """Drain and stop every worker; return how many step bodies they ran and the CPU seconds
        they used since ``go``, in all."""
        executed, cpu = 0, 0.0
        for proc in self.procs:
            try:
                out, _ = await asyncio.wait_for(proc.communicate(b"stop\n"), 60.0)
            except TimeoutError:
                proc.kill()
                await proc.wait()
                raise
            m = re.search(rb"executed (\d+) cpu ([0-9.]+)", out)
            if m:
                executed += int(m.group(1))
                cpu += float(m.group(2))
            if proc.returncode != 0:
                raise RuntimeError(f"worker exited with {proc.returncode}")
        self.procs = []
        return executed, cpu

    async def kill(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        self.procs = []
