"""Issue 13, "cost does not grow with the data": a receive kept in process waits on the store's
LISTEN connection instead of polling recv_message (a durable commit each time).

The client's own calls are counted by wrapping ``Store.call_many``, the one way every statement
of a run goes to the server: exact, and blind to everything else the server does meanwhile (a
count of commits in pg_stat_database would also see the listener, heartbeats and the test's own
queries, and pg_stat_statements is not loaded in the test server).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from helpers import fetch, poll_async, step_status

import pgqrs
from pgqrs import PyWorkflow, _sql
from pgqrs.decorators import workflow


@workflow
async def inbox(ctx: PyWorkflow, seconds: float) -> Any:
    return await ctx.recv("go", timeout=seconds, default="nothing")


def count_receives(store: pgqrs.Store) -> Counter[Any]:
    """recv_message calls the store sends from now on, by workflow id."""
    calls: Counter[Any] = Counter()
    call_many = store.call_many

    async def counting(statements: Any, **kwargs: Any) -> Any:
        for query, params in statements:
            if query == _sql.RECV_MESSAGE:
                calls[params[0]] += 1
        return await call_many(statements, **kwargs)

    store.call_many = counting  # type: ignore[method-assign]
    return calls


def test_a_receive_in_process_waits_without_polling(dsn: str) -> None:
    """recv(timeout=1.5) with inline_wait_max=2 waits in process: with nothing sent it asks
    recv_message a few times in 1.5 s, not every 50 ms (about 30 times before); a message sent
    from another connection while it waits is received at once, just as rarely asked."""

    async def main() -> None:
        async with await pgqrs.connect(dsn, inline_wait_max=2) as store:
            admin = pgqrs.admin(store)
            calls = count_receives(store)
            idle = await admin.create_workflow("inbox", 1.5)
            assert await inbox(idle, 1.5) == "nothing"
            assert calls[idle.id] <= 4, calls

            busy = await admin.create_workflow("inbox", 1.9)
            run = asyncio.create_task(inbox(busy, 1.9))
            await poll_async(
                lambda: asyncio.to_thread(step_status, dsn, busy.id, "pgqrs.recv"),
                lambda status: status == "WAITING",
            )
            sent = time.monotonic()
            await asyncio.to_thread(
                fetch, dsn, "select * from pgqrs.send_message(%s, 'go', '\"hi\"')", (busy.id,)
            )
            assert await run == "hi"
            assert time.monotonic() - sent < 1.0  # woken by the notification, not the timeout
            assert calls[busy.id] <= 4, calls

    asyncio.run(main())
