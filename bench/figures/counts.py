"""2. Statements, transactions and WAL flushes per step, counted on the server: the
marginal cost of one more step, (X(200 steps) - X(100 steps)) / 100."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import flows
from _common import (
    FLOOR_INSERT,
    STEPS,
    Env,
    Figure,
    connect,
    count_figure,
    encode,
    fmt,
    progress,
    rotate,
    run_decorators,
)
from observe import breakdown, med, nested_top

import pgqrs


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
                    step = await ctx.acquire_step(f"noop-{i}")
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
