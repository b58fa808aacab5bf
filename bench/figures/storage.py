"""6. Storage per completed step, against a plain table of the same small rows."""

from __future__ import annotations

import asyncio
from typing import Any

from _common import (
    Env,
    Figure,
    connect,
    drop_database,
    fmt,
    fresh_database,
    install,
    make_finished,
    paired_ratios,
    progress,
)

import pgqrs

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
