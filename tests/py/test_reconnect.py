"""A workflow that loses its database connection, or sees the server restart, carries on."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.decorators import step, workflow

CUT: dict[str, Any] = {}


def _terminate_other_backends(dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity"
            " where datname = current_database() and pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


@step
async def cut_connections(ctx: PyWorkflow) -> int:
    return CUT["action"]()  # type: ignore[no-any-return]


@step
async def after_cut(ctx: PyWorkflow) -> str:
    return "still here"


@workflow
async def survives(ctx: PyWorkflow) -> list[Any]:
    killed = await cut_connections(ctx)
    return [killed, await after_cut(ctx)]


def test_terminated_connections_are_replaced(dsn: str) -> None:
    CUT["action"] = lambda: _terminate_other_backends(dsn)

    async def main() -> None:
        async with await pgqrs.connect(dsn, pool_size=2) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("survives")
            killed, tail = await survives(ctx)
            assert killed >= 1  # the pool's connection really died under the running step
            assert tail == "still here"
            assert (await admin.get_workflow(ctx.id)).status == "SUCCESS"

    asyncio.run(main())


def test_server_restart_mid_workflow(restartable_server: Any, dsn: str) -> None:
    def restart() -> int:
        restartable_server.restart(mode="immediate")
        return 1

    CUT["action"] = restart

    async def main() -> None:
        async with await pgqrs.connect(dsn, retry_timeout=60) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("survives")
            assert await survives(ctx) == [1, "still here"]
            assert [s.status for s in await admin.list_steps(ctx.id)] == ["SUCCESS", "SUCCESS"]

    asyncio.run(main())
