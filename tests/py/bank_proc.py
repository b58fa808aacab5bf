"""A bank for tests/py/test_transactions.py: a workflow of transactional transfers, and a fork
server that runs it in child processes which the test kills with SIGKILL.

``python bank_proc.py DSN`` reads commands from stdin, one a line:

    run WORKFLOW_ID    fork a child that runs workflow ``bank`` to its end under runner id
                       "bank"; print ``started PID`` at once, then ``exit PID CODE`` when the
                       child ends (CODE 0: the workflow finished, -9: killed, 1: an error, whose
                       traceback goes to stderr).

Forking from a process that has already imported psycopg and pgqrs makes a restart cost a few
milliseconds instead of a fresh interpreter's few hundred, so the test can kill hundreds of times
within ``make test``. Each child is forked before any event loop, thread or connection exists.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import traceback
from typing import Any

import psycopg

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.decorators import transaction, workflow

ACCOUNTS = 6
INITIAL_BALANCE = 1000
RUNNER = "bank"
# Every transfer takes this advisory lock (shared, until its transaction ends) after its writes.
# The test holds it exclusively when it wants a child stopped, and killed, right there: inside
# the step's transaction, with its writes made and not committed.
PAUSE_LOCK = 7_041_963

BANK_DDL = f"""
create table accounts (id int primary key, balance bigint not null);
create table transfers (
    workflow_id uuid not null,
    seq         int not null,
    src         int not null,
    dst         int not null,
    amount      bigint not null
);
insert into accounts select g, {INITIAL_BALANCE} from generate_series(1, {ACCOUNTS}) g;
"""


def plan(seed: int, n: int) -> list[tuple[int, int, int]]:
    """The transfers of one workflow: (from account, to account, amount), fixed by the seed."""
    rng = random.Random(seed)
    moves = []
    for _ in range(n):
        src, dst = rng.sample(range(1, ACCOUNTS + 1), 2)
        moves.append((src, dst, rng.randint(1, 100)))
    return moves


@transaction
async def transfer(
    ctx: PyWorkflow, conn: psycopg.AsyncConnection[Any], seq: int, src: int, dst: int, amount: int
) -> int:
    """Move ``amount`` from ``src`` to ``dst``; return the balance of ``src`` after it."""
    await conn.execute(
        "insert into transfers (workflow_id, seq, src, dst, amount) values (%s, %s, %s, %s, %s)",
        (ctx.id, seq, src, dst, amount),
    )
    await conn.execute("update accounts set balance = balance + %s where id = %s", (amount, dst))
    cur = await conn.execute(
        "update accounts set balance = balance - %s where id = %s returning balance", (amount, src)
    )
    row = await cur.fetchone()
    assert row is not None
    await conn.execute("select pg_advisory_xact_lock_shared(%s)", (PAUSE_LOCK,))
    return int(row[0])


@workflow
async def bank(ctx: PyWorkflow, spec: dict[str, int]) -> list[int]:
    balances = []
    for seq, (src, dst, amount) in enumerate(plan(spec["seed"], spec["n"])):
        balances.append(await transfer(ctx, seq, src, dst, amount))
    return balances


async def run(dsn: str, workflow_id: str) -> None:
    async with await pgqrs.connect(dsn, runner_id=RUNNER, pool_size=2) as store:
        ctx = await pgqrs.admin(store).workflow(workflow_id)
        await bank(ctx, ctx.input)


def child(dsn: str, workflow_id: str) -> None:
    code = 1
    try:
        asyncio.run(run(dsn, workflow_id))
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(code)


def serve(dsn: str) -> None:
    while line := sys.stdin.readline():
        command, workflow_id = line.split()
        assert command == "run", line
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            child(dsn, workflow_id)
        print(f"started {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {pid} {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    serve(sys.argv[1])
