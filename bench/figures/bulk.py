"""10. Bulk start: ``pgqrs.start_workflows`` enqueues 10,000 workflows in one call, without and
with an idempotency key per item, against one plain ``INSERT ... SELECT ... FROM
generate_series`` of the same 10,000 rows into a plain table, measured in the same run.

Every call sends the same JSON array of 10,000 small inputs (``{"i": n, "ok": true}``), as the
Python client encodes them; the floor reads its rows from the same array. One more row times
``admin.start_workflows`` from Python, which also encodes the items and builds the handles. The
figure runs in a database of its own, and both tables are emptied (TRUNCATE, untimed) before
every measurement, so each starts from the same state.

PostgreSQL plans the statements of a PL/pgSQL function for each call during the first five calls
of a session, and may then keep one generic plan. The calls are timed in that steady state, as
a pooled connection makes them: each connection first makes :data:`WARM_CALLS` small untimed
calls. One row times the first call on a fresh connection instead.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import flows
from _common import (
    Env,
    Figure,
    against_floor,
    connect,
    drop_database,
    encode,
    fmt,
    fresh_database,
    install,
    progress,
    rotate,
)
from observe import med

import pgqrs
from pgqrs import _sql

#: Workflows per call.
COUNT = {False: 10_000, True: 2_000}
#: Untimed calls of :data:`WARM_ITEMS` workflows a connection makes before it is timed.
WARM_CALLS, WARM_ITEMS = 6, 100

#: The floor: a plain table with the columns start_workflows fills, a primary key and a unique
#: idempotency key (the only indexes), and one INSERT ... SELECT of the same rows, read from the
#: same array (and the keys from theirs) side by side. (Subscripting a text[] parameter row by
#: row, ``keys[g]`` over ``generate_series``, costs O(n) per row: 0.5 s for 10,000 keys.)
FLOOR_TABLE = """
CREATE TABLE bench_bulk (
    id              uuid PRIMARY KEY,
    name            text NOT NULL,
    idempotency_key text UNIQUE,
    status          text NOT NULL DEFAULT 'PENDING',
    input           jsonb,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    queued          boolean NOT NULL,
    available_at    timestamptz NOT NULL,
    queue           text NOT NULL,
    priority        integer NOT NULL
)
"""
FLOOR_INSERT = """
INSERT INTO bench_bulk (id, name, idempotency_key, input, created_at, updated_at, queued,
                        available_at, queue, priority)
SELECT gen_random_uuid(), %(name)s, t.key, t.input, now(), now(), true, now(), 'default', 0
  FROM ROWS FROM (jsonb_array_elements(%(inputs)s::jsonb), unnest(%(keys)s::text[]))
       WITH ORDINALITY t (input, key, g)
"""
EMPTY = "TRUNCATE bench_bulk, pgqrs.workflows CASCADE"

#: key -> (label, floor kind or None for a floor, with idempotency keys)
KINDS: dict[str, tuple[str, str | None, bool]] = {
    "floor": ("INSERT ... SELECT", None, False),
    "floor_keys": ("INSERT ... SELECT with keys", None, True),
    "sql": ("start_workflows", "floor", False),
    "sql_keys": ("start_workflows with idempotency keys", "floor_keys", True),
    "sql_first": ("start_workflows, first call of a session", "floor", False),
    "python": ("admin.start_workflows (Python)", "floor", False),
}


async def measure(
    dsn: str, conn: Any, admin: pgqrs.Admin, kind: str, name: str, items: list[Any], inputs: str
) -> float:
    """ms of one call of ``kind`` enqueueing ``items`` under ``name`` (``sql_first``: on a
    fresh connection, opened untimed)."""
    _label, floor_of, keyed = KINDS[kind]
    keys = [f"{name}-{i}" for i in range(len(items))] if keyed else None
    await conn.execute(EMPTY)
    async with contextlib.AsyncExitStack() as stack:
        if kind == "sql_first":
            conn = await stack.enter_async_context(await connect(dsn))
            await conn.execute("SELECT 1")
        t0 = time.perf_counter()
        if kind == "python":
            made = len(await admin.start_workflows(name, items))
        elif floor_of is None:
            cur = await conn.execute(FLOOR_INSERT, {"name": name, "keys": keys, "inputs": inputs})
            made = cur.rowcount
        else:
            cur = await conn.execute(_sql.START_WORKFLOWS, (name, inputs, keys, '{"queue": true}'))
            made = len(await cur.fetchall())
        elapsed = (time.perf_counter() - t0) * 1000
    assert made == len(items), (kind, made)
    return elapsed


async def fig_bulk(env: Env) -> list[Figure]:
    n = COUNT[env.quick]
    db = f"{env.bench_db}_bulk"
    dsn = await fresh_database(env.admin_dsn, db)
    env.dbs.append(db)
    await install(dsn)
    items = [flows.payload(i) for i in range(n)]
    inputs = "[" + ",".join(encode(item) for item in items) + "]"
    ms: dict[str, list[float]] = {k: [] for k in KINDS}
    async with (
        await connect(dsn) as conn,
        await pgqrs.connect(dsn, runner_id="bench-bulk", pool_size=1) as store,
    ):
        await conn.execute(FLOOR_TABLE)
        admin = pgqrs.admin(store)
        small = "[" + ",".join(encode(item) for item in items[:WARM_ITEMS]) + "]"
        for i in range(WARM_CALLS):
            await conn.execute(_sql.START_WORKFLOWS, (f"bench_bulk_w{i}", small, None, "{}"))
            await admin.start_workflows(f"bench_bulk_w{i}", items[:WARM_ITEMS])
        for r in range(env.reps + 1):
            got = {
                kind: await measure(
                    dsn, conn, admin, kind, f"bench_bulk_r{r}_{kind}", items, inputs
                )
                for kind in rotate(list(KINDS), r)
            }
            progress(
                f"   bulk {'warm-up' if r == 0 else f'rep {r}'}: "
                + ", ".join(f"{kind} {got[kind]:.0f} ms" for kind in KINDS)
            )
            if r:
                for kind, v in got.items():
                    ms[kind].append(v)
        await conn.execute(EMPTY)
    await drop_database(env.admin_dsn, db)
    env.dbs.remove(db)
    figures = []
    for kind, (label, floor_of, keyed) in KINDS.items():
        if floor_of is None:
            continue
        values = ms[kind]
        per = med(values) / n * 1000
        fig = against_floor(
            f"bulk_{kind}",
            f"10. {label}, {n:,} workflows",
            "ms",
            values,
            ms[floor_of],
            KINDS[floor_of][0] + " ms",
            target="< 1 s",
            met=med(values) < 1000,
            note=(
                f"{per:.0f} us per workflow (floor {med(ms[floor_of]) / n * 1000:.0f} us)"
                + (", one idempotency key per item" if keyed else "")
                + ("; items encoded and handles built in Python" if kind == "python" else "")
            ),
            raw={"ms": values, "floor_ms": ms[floor_of], "workflows": n},
        )
        figures.append(fig)
    progress(
        "10. bulk start: "
        + ", ".join(f"{f.label[4:]} {fmt(f.value)} ms ({fmt(f.ratio)}x)" for f in figures)
    )
    return figures
