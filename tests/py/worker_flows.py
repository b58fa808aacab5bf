"""Workflows served by the worker processes of the worker fault tests (tests/py/worker_proc.py).

Every step records its side effect in the table ``effects`` through its own plain connection,
outside pgqrs, with the fencing token of the run (``ctx.token``), the worker that ran it and the
server time at which its body started and ended. A test can then check, from outside, how many
times each step body ran, under which token, on which worker and when.

The worker process calls :func:`configure` before it starts. Waiting inside steps is async
(``asyncio.sleep``), so that the worker's event loop keeps heartbeating and handling signals.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Any

import psycopg

from pgqrs import PyWorkflow, SyncWorkflow
from pgqrs.decorators import step, workflow

EFFECTS_DDL = """
create table if not exists effects (
    id          bigserial primary key,
    workflow_id uuid not null,
    step        text not null,
    token       bigint not null,
    worker      text not null,
    pid         int not null,
    started_at  timestamptz not null default clock_timestamp(),
    ended_at    timestamptz
);
create table if not exists gates (name text primary key);
"""

# Set by configure() in the worker process.
CONFIG: dict[str, str] = {}


def configure(dsn: str, worker: str) -> None:
    """Where effects are recorded, and the name of the worker that records them."""
    CONFIG["dsn"] = dsn
    CONFIG["worker"] = worker


def chain_key(i: int) -> str:
    """The step key of the i-th (0-based) call of ``link`` in one run."""
    return "link" if i == 0 else f"link#{i + 1}"


def chain_output(spec: dict[str, Any]) -> int:
    """What ``chain`` and ``chain_sync`` return for their input."""
    return int(spec["base"]) + sum(range(int(spec["n"])))


# --- recording effects ----------------------------------------------------------------------

_BEGIN = (
    "insert into effects (workflow_id, step, token, worker, pid) values (%s, %s, %s, %s, %s)"
    " returning id"
)
_END = "update effects set ended_at = clock_timestamp() where id = %s"


async def begin(ctx: PyWorkflow, key: str) -> int:
    """Record that the body of step ``key`` starts now under this run's token."""
    async with await psycopg.AsyncConnection.connect(CONFIG["dsn"], autocommit=True) as conn:
        cur = await conn.execute(_BEGIN, (ctx.id, key, ctx.token, CONFIG["worker"], os.getpid()))
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def end(effect_id: int) -> None:
    async with await psycopg.AsyncConnection.connect(CONFIG["dsn"], autocommit=True) as conn:
        await conn.execute(_END, (effect_id,))


def begin_sync(ctx: SyncWorkflow, key: str) -> int:
    with psycopg.connect(CONFIG["dsn"], autocommit=True) as conn:
        row = conn.execute(
            _BEGIN, (ctx.id, key, ctx.token, CONFIG["worker"], os.getpid())
        ).fetchone()
    assert row is not None
    return int(row[0])


def end_sync(effect_id: int) -> None:
    with psycopg.connect(CONFIG["dsn"], autocommit=True) as conn:
        conn.execute(_END, (effect_id,))


async def gate_open(name: str) -> bool:
    async with await psycopg.AsyncConnection.connect(CONFIG["dsn"], autocommit=True) as conn:
        cur = await conn.execute("select 1 from gates where name = %s", (name,))
        return await cur.fetchone() is not None


async def wait_gate(name: str) -> None:
    """Wait (asynchronously, polling) until the test opens the gate. This is the code under test
    being held, not the test waiting for state."""
    while not await gate_open(name):  # noqa: ASYNC110 - the gate is a row, not an Event
        await asyncio.sleep(0.02)


# --- chain: n short steps, each recording its token ------------------------------------------


@step
async def link(ctx: PyWorkflow, i: int, acc: int, pause: float) -> int:
    effect = await begin(ctx, chain_key(i))
    await asyncio.sleep(pause)
    await end(effect)
    return acc + i


@workflow
async def chain(ctx: PyWorkflow, spec: dict[str, Any]) -> int:
    """``spec``: {"n": steps, "base": start value, "pauses": [seconds per step] (optional)}."""
    acc = int(spec["base"])
    pauses = spec.get("pauses") or [0.0] * int(spec["n"])
    for i in range(int(spec["n"])):
        acc = await link(ctx, i, acc, pauses[i])
    return acc


@step(name="link")
def link_sync(ctx: SyncWorkflow, i: int, acc: int, pause: float) -> int:
    effect = begin_sync(ctx, chain_key(i))
    time.sleep(pause)
    end_sync(effect)
    return acc + i


@workflow
def chain_sync(ctx: SyncWorkflow, spec: dict[str, Any]) -> int:
    """The same chain as a plain ``def`` workflow: a worker runs it in its thread pool."""
    acc = int(spec["base"])
    pauses = spec.get("pauses") or [0.0] * int(spec["n"])
    for i in range(int(spec["n"])):
        acc = link_sync(ctx, i, acc, pauses[i])
    return acc


# --- slow: a step held at a gate, then one more step -------------------------------------------


@step
async def hold(ctx: PyWorkflow, gate: str) -> str:
    effect = await begin(ctx, "hold")
    await wait_gate(gate)
    await end(effect)
    return "held"


@step
async def after(ctx: PyWorkflow) -> str:
    effect = await begin(ctx, "after")
    await end(effect)
    return "after"


@workflow
async def slow(ctx: PyWorkflow, gate: str) -> list[str]:
    return [await hold(ctx, gate), await after(ctx)]


# --- slow_sync: the same as slow, as a plain def workflow (runs in the worker's threads) --------


def gate_open_sync(name: str) -> bool:
    with psycopg.connect(CONFIG["dsn"], autocommit=True) as conn:
        return conn.execute("select 1 from gates where name = %s", (name,)).fetchone() is not None


@step(name="hold")
def hold_sync(ctx: SyncWorkflow, gate: str) -> str:
    effect = begin_sync(ctx, "hold")
    while not gate_open_sync(gate):
        time.sleep(0.02)
    end_sync(effect)
    return "held"


@step(name="after")
def after_sync(ctx: SyncWorkflow) -> str:
    effect = begin_sync(ctx, "after")
    end_sync(effect)
    return "after"


@workflow
def slow_sync(ctx: SyncWorkflow, gate: str) -> list[str]:
    return [hold_sync(ctx, gate), after_sync(ctx)]


# --- crash: a step that SIGKILLs its own worker process, until its gate is opened -------------


@step
async def suicide(ctx: PyWorkflow, gate: str) -> str:
    await begin(ctx, "suicide")
    if not await gate_open(gate):
        os.kill(os.getpid(), signal.SIGKILL)
        await asyncio.sleep(3600)  # never reached: the signal cannot be caught
    return "fixed"


@workflow
async def crash(ctx: PyWorkflow, gate: str) -> str:
    return await suicide(ctx, gate)


# --- small ones -------------------------------------------------------------------------------


@step
async def greet(ctx: PyWorkflow, who: str) -> str:
    effect = await begin(ctx, "greet")
    await end(effect)
    return f"hello {who}"


@workflow
async def hello(ctx: PyWorkflow, who: str) -> str:
    return await greet(ctx, who)


@step
async def late_step(ctx: PyWorkflow) -> str:
    effect = await begin(ctx, "late_step")
    await end(effect)
    return "late ran"


@workflow
async def late(ctx: PyWorkflow, _input: Any) -> str:
    """Served only by workers started with ``--serve`` including ``late``."""
    return await late_step(ctx)


@workflow
async def ticked(ctx: PyWorkflow, tick: dict[str, Any]) -> str:
    """Started by schedules (test_schedules.py): records one effect per run, returns its tick."""
    effect = await begin(ctx, "ticked")
    await end(effect)
    return str(tick["scheduled_at"])


# --- tick: one step that records when it starts, through a connection kept per process -------

_TICK_CONN: list[psycopg.AsyncConnection[Any]] = []


@step
async def tick_step(ctx: PyWorkflow) -> str:
    """Records its start (``effects``, step 'tick', ended_at = started_at) through one connection
    per worker process, opened once: a start is recorded within a round trip of the step body
    starting, without the cost of a new connection (rate tests measure starts to the
    millisecond)."""
    if not _TICK_CONN or _TICK_CONN[0].closed:
        _TICK_CONN[:] = [await psycopg.AsyncConnection.connect(CONFIG["dsn"], autocommit=True)]
    await _TICK_CONN[0].execute(
        "insert into effects (workflow_id, step, token, worker, pid, ended_at)"
        " values (%s, 'tick', %s, %s, %s, clock_timestamp())",
        (ctx.id, ctx.token, CONFIG["worker"], os.getpid()),
    )
    return "tick"


@workflow
async def tick(ctx: PyWorkflow, _input: Any) -> str:
    return await tick_step(ctx)
