"""Workflows shared by the tests and the child processes they start (tests/py/child.py).

Each step records its side effect in the table ``effects`` through its own plain connection,
outside pgqrs, so a test can count how many times a step's body really ran.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import psycopg

from pgqrs import PyWorkflow, SyncWorkflow
from pgqrs.decorators import step, workflow

EFFECTS_DDL = """
create table if not exists effects (
    id serial primary key,
    workflow_id uuid not null,
    step text not null,
    token bigint,
    pid int not null default pg_backend_pid()
);
create table if not exists gates (name text primary key);
"""


def record(dsn: str, workflow_id: Any, name: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("insert into effects (workflow_id, step) values (%s, %s)", (workflow_id, name))


def effects(dsn: str, workflow_id: Any) -> list[str]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "select step from effects where workflow_id = %s order by id", (workflow_id,)
        ).fetchall()
    return [r[0] for r in rows]


def gate_open(dsn: str, name: str) -> bool:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute("select 1 from gates where name = %s", (name,)).fetchone() is not None


def open_gate(dsn: str, name: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("insert into gates values (%s) on conflict do nothing", (name,))


def wait_gate(dsn: str, name: str, timeout: float = 60.0) -> None:
    """Block until a test opens the gate (polled; this is the code under test waiting, not a
    test waiting for state)."""
    deadline = time.monotonic() + timeout
    while not gate_open(dsn, name):
        if time.monotonic() > deadline:
            raise TimeoutError(f"gate {name} never opened")
        time.sleep(0.02)


# --- async pipeline: three steps, the second one can be held at a gate ---------------------

DSN: dict[str, str] = {}
# The gate the transform step waits at, in this process (child.py --gate): a test hook, not an
# argument of the workflow, whose arguments are its stored input.
GATE: dict[str, str] = {}


@step
async def extract(ctx: PyWorkflow, n: int) -> list[int]:
    record(DSN["dsn"], ctx.id, "extract")
    return list(range(n))


@step
async def transform(ctx: PyWorkflow, rows: list[int]) -> list[int]:
    record(DSN["dsn"], ctx.id, "transform")
    gate = GATE.get("name")
    if gate:  # off the event loop, as an async step should wait: heartbeats go on meanwhile
        await asyncio.to_thread(wait_gate, DSN["dsn"], gate)
    return [r * 10 for r in rows]


@step
async def load(ctx: PyWorkflow, rows: list[int]) -> int:
    record(DSN["dsn"], ctx.id, "load")
    return sum(rows)


@workflow
async def pipeline(ctx: PyWorkflow, n: int) -> dict[str, Any]:
    rows = await extract(ctx, n)
    rows = await transform(ctx, rows)
    total = await load(ctx, rows)
    return {"total": total, "count": len(rows)}


# --- the same pipeline, synchronous ---------------------------------------------------------


@step(name="extract")
def extract_sync(ctx: SyncWorkflow, n: int) -> list[int]:
    record(DSN["dsn"], ctx.id, "extract")
    return list(range(n))


@step(name="transform")
def transform_sync(ctx: SyncWorkflow, rows: list[int]) -> list[int]:
    record(DSN["dsn"], ctx.id, "transform")
    gate = GATE.get("name")
    if gate:
        wait_gate(DSN["dsn"], gate)
    return [r * 10 for r in rows]


@step(name="load")
def load_sync(ctx: SyncWorkflow, rows: list[int]) -> int:
    record(DSN["dsn"], ctx.id, "load")
    return sum(rows)


@workflow(name="pipeline")
def pipeline_sync(ctx: SyncWorkflow, n: int) -> dict[str, Any]:
    rows = extract_sync(ctx, n)
    rows = transform_sync(ctx, rows)
    total = load_sync(ctx, rows)
    return {"total": total, "count": len(rows)}


# --- a chain of short steps that record the fencing token with their side effect ------------

CHAIN_LENGTH = 6


def record_with_token(dsn: str, ctx: PyWorkflow, name: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "insert into effects (workflow_id, step, token) values (%s, %s, %s)",
            (ctx.id, name, ctx.token),
        )


@step
async def link(ctx: PyWorkflow, i: int, acc: int) -> int:
    record_with_token(DSN["dsn"], ctx, "link" if i == 0 else f"link#{i + 1}")
    return acc + i


@workflow
async def chain(ctx: PyWorkflow, n: int) -> int:
    acc = 0
    for i in range(n):
        acc = await link(ctx, i, acc)
    return acc
