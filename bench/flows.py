"""The workflows the benchmarks run, importable by bench/run.py and by bench/worker.py.

Every step returns a small dict (:func:`payload`), the value the issue asks for, and does no
work of its own: the benchmarks measure what pgqrs adds around a step.
"""

from __future__ import annotations

from typing import Any

from pgqrs import PyWorkflow
from pgqrs.decorators import step, workflow

#: How many times a ``noop`` step body really ran in this process (a replay must not run any).
EXECUTED = 0


def payload(i: int) -> dict[str, Any]:
    """The small result every benchmark step returns (and the floor inserts store)."""
    return {"i": i, "ok": True}


@step
async def noop(ctx: PyWorkflow, i: int) -> dict[str, Any]:
    global EXECUTED
    EXECUTED += 1
    return payload(i)


@workflow
async def steps_wf(ctx: PyWorkflow, n: int) -> int:
    """``n`` sequential no-op steps (figure 1 and 2, decorator API)."""
    for i in range(n):
        await noop(ctx, i)
    return n


@workflow
async def replay_wf(ctx: PyWorkflow, n: int) -> int:
    """Calls ``noop`` ``n`` times: run on a workflow whose ``n`` steps are all finished, every
    call is a replay (figure 3)."""
    for i in range(n):
        await noop(ctx, i)
    return n


def one_step_workflow(name: str) -> Any:
    """A one-step workflow registered under ``name`` (each throughput run uses a fresh name, so
    that runs cannot see each other's workflows)."""

    @workflow(name=name)
    async def one_step(ctx: PyWorkflow, i: int) -> int:
        await noop(ctx, i)
        return i

    return one_step


# -- pickup latency (figure 5) --------------------------------------------------------------------

PICKUP_TABLE = "bench_pickup"


@step
async def stamp(ctx: PyWorkflow, i: int) -> dict[str, Any]:
    """Records when the step started, by the server's clock."""
    async with ctx.store.pool.connection() as conn:
        await conn.execute(
            "INSERT INTO bench_pickup (workflow_id, step_started_at)"
            " VALUES (%s, pg_catalog.clock_timestamp())",
            (ctx.id,),
        )
    return payload(i)


@workflow
async def pickup_wf(ctx: PyWorkflow, i: int) -> int:
    await stamp(ctx, i)
    return i
