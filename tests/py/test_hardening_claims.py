"""Issue 13, "one workflow can stop every worker": claims that never fail or wait because of
another workflow, and claims whose answer is lost.

Real PostgreSQL, real workers in this process, and for the lost answer a TCP proxy that cuts a
worker's connection right after the server has committed its claim.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections import Counter
from typing import Any

import psycopg
import pytest
from helpers import fetch, later, with_fake_now, worker_on
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgqrs import PyWorkflow
from pgqrs.decorators import step, workflow

ran: Counter[str] = Counter()


@pytest.fixture(autouse=True)
def _reset() -> None:
    ran.clear()


@step
async def chunk(ctx: PyWorkflow, i: int) -> str:
    ran["chunk"] += 1
    return "new"


@step
async def tail(ctx: PyWorkflow, total: int) -> int:
    ran["tail"] += 1
    return total


@workflow
async def big(ctx: PyWorkflow, n: int) -> int:
    """n chunk steps, then one more: the sum of the chunks' lengths."""
    total = 0
    for i in range(n):
        total += len(await chunk(ctx, i))
    return await tail(ctx, total)


@workflow
async def other(ctx: PyWorkflow, x: int) -> int:
    ran["other"] += 1
    return x + 1


@step
async def touch(ctx: PyWorkflow, x: int) -> int:
    ran[f"touch({x})"] += 1
    return x


@workflow
async def job(ctx: PyWorkflow, x: int) -> int:
    return await touch(ctx, x)


def start(dsn: str, name: str, input_json: str = "1", *, options: str = "{}") -> Any:
    return fetch(
        dsn,
        "select workflow_id from pgqrs.submit_workflow(%s, %s::jsonb, %s::jsonb)",
        (name, input_json, options),
    )[0][0]


def status_of(dsn: str, workflow_id: Any) -> str:
    return str(fetch(dsn, "select status from pgqrs.workflows where id = %s", (workflow_id,))[0][0])


# --- a replay snapshot over the jsonb limit ------------------------------------------------------


def record_chunks(dsn: str, workflow_id: Any, n: int, size: int) -> None:
    """Give ``big`` workflow n finished chunk steps of ``size`` characters each, written by a
    runner that then released the workflow (server side: nothing crosses the wire)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "select token from pgqrs.acquire_workflow(%s, 'recorder', 30)", (workflow_id,)
        ).fetchone()
        assert row is not None
        conn.execute(
            "select pgqrs.record_step(%s, case when i = 1 then 'chunk' else 'chunk#' || i end,"
            " %s, i, pg_catalog.to_jsonb(pg_catalog.repeat('x', %s)), 0)"
            " from pg_catalog.generate_series(1, %s) i",
            (workflow_id, row[0], size, n),
        )
        conn.execute("select pgqrs.release_workflow(%s, %s)", (workflow_id, row[0]))


def check_snapshots_are_partial(dsn: str, workflow_id: Any, n: int) -> None:
    """acquire_workflow and a claim both hand the workflow out, with "#more" and fewer than n
    steps in the snapshot; each then releases it again."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "select a.token, a.steps ? '#more', (select count(*) from"
            " pg_catalog.jsonb_object_keys(a.steps) k where k not like '#%%')"
            " from pgqrs.acquire_workflow(%s, 'inspector', 30) a",
            (workflow_id,),
        ).fetchone()
        assert row is not None
        token, more, held = row
        assert more and 0 < held < n
        conn.execute("select pgqrs.release_workflow(%s, %s)", (workflow_id, token))
        conn.execute("select pgqrs.register_worker('inspector', array['big'], 1)")
        rows = conn.execute(
            "select c.workflow_id, c.token, c.steps ? '#more'"
            " from pgqrs.claim_workflows('inspector', 1, 30) c"
        ).fetchall()
        assert [(r[0], r[2]) for r in rows] == [(workflow_id, True)]
        conn.execute("select pgqrs.release_workflow(%s, %s)", (workflow_id, rows[0][1]))
        conn.execute("select pgqrs.stop_worker('inspector')")


def run_big_workflows(dsn: str, n: int, size: int) -> None:
    large = start(dsn, "big", str(n))
    record_chunks(dsn, large, n, size)
    check_snapshots_are_partial(dsn, large, n)
    small = start(dsn, "big", "0")

    async def main() -> None:
        async with worker_on(dsn, [big], concurrency=2) as (_, _store, admin):
            # The small one is not held up by the large one, and the large one replays to the
            # end: its steps past the snapshot come back SKIPPED from begin_step.
            assert await admin.handle(small).result(timeout=60) == 0
            assert await admin.handle(large).result(timeout=90) == n * size

    asyncio.run(main())
    assert ran == {"tail": 2}  # no recorded chunk ran again
    rows = fetch(
        dsn,
        "select recoveries, (select count(*) from pgqrs.steps s where s.workflow_id = w.id)"
        " from pgqrs.workflows w where w.id = %s",
        (large,),
    )
    assert rows == [(0, n + 1)]


def test_a_snapshot_over_the_jsonb_limit_wedges_nothing(dsn: str) -> None:
    """270 steps of 1 MB, each under the 1 MiB payload limit, 270 MB in all: over jsonb's 256 MB
    (the whole snapshot in one value made acquire_workflow and every claim fail with 54000)."""
    run_big_workflows(dsn, 270, 1_000_000)


# --- deadlines enforced inside the claim -------------------------------------------------------


def make_tree(dsn: str, depth: int, *, deadline: str | None = None) -> list[Any]:
    """A chain root -> child -> grandchild ... of ``depth`` workflows below the root, made with
    submit_workflow (parent_id), queued under a name no worker serves; returns the ids, root
    first. The root gets ``deadline`` (an option value) when given."""
    root: dict[str, Any] = {"queue": True} if deadline is None else {"deadline": deadline}
    ids = [start(dsn, "chain", options=json.dumps(root))]
    with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
        for _ in range(depth):
            row = conn.execute(
                "select workflow_id from pgqrs.submit_workflow('chain', null, %s::jsonb)",
                (json.dumps({"parent_id": str(ids[-1])}),),
            ).fetchone()
            assert row is not None
            ids.append(row[0])
    return ids


def test_a_deep_tree_past_its_deadline_does_not_stop_other_claims(dsn: str) -> None:
    """A chain of 1,000 nested children whose root passed its deadline: a worker of another name
    still gets its work (the recursive cancel failed every claim with 54001), and the whole
    chain is CANCELLED by that claim."""
    deadline = later(dsn, 3600)
    chain = make_tree(dsn, 1000, deadline=deadline.isoformat())
    work = start(dsn, "other", "41")

    async def main() -> None:
        # Two hours later for the worker: the root is past its deadline.
        async with worker_on(with_fake_now(dsn, later(dsn, 7200)), [other]) as (_, _s, admin):
            assert await admin.handle(work).result(timeout=30) == 42

    asyncio.run(main())
    counts = dict(
        fetch(
            dsn,
            "select error ->> 'type', count(*) from pgqrs.workflows where id = any(%s)"
            " and status = 'CANCELLED' group by 1",
            (chain,),
        )
    )
    assert counts == {"pgqrs.DeadlineExceeded": 1, "pgqrs.Cancelled": 1000}


def test_cancel_never_waits_for_a_locked_child(dsn: str) -> None:
    """Another transaction holds a row lock on a child of the tree: cancel_workflow of the root
    returns at once (it waited for that lock), the child is recorded in pgqrs.deferred, and the
    first claim after the lock is released cancels it."""
    root, child, grandchild = make_tree(dsn, 2)
    sibling = start(dsn, "chain", options=f'{{"parent_id": "{root}"}}')
    holder = psycopg.connect(dsn)
    try:
        holder.execute("select 1 from pgqrs.workflows where id = %s for no key update", (child,))
        # lock_timeout turns a wait into an error, so a cancel that waits fails the test.
        with psycopg.connect(dsn, autocommit=True, options="-c lock_timeout=5s") as conn:
            assert conn.execute("select pgqrs.cancel_workflow(%s)", (root,)).fetchone() == (True,)
        assert [status_of(dsn, w) for w in (root, child, grandchild, sibling)] == [
            "CANCELLED",
            "PENDING",
            "CANCELLED",
            "CANCELLED",
        ]
        assert fetch(dsn, "select workflow_id, action from pgqrs.deferred") == [(child, "cancel")]
        # A claim while the lock is still held skips the row and keeps the deferred cancel.
        fetch(dsn, "select pgqrs.register_worker('w', array['nothing'], 1)")
        assert fetch(dsn, "select * from pgqrs.claim_workflows('w', 1, 30)") == []
        assert status_of(dsn, child) == "PENDING"
    finally:
        holder.rollback()
        holder.close()
    assert fetch(dsn, "select * from pgqrs.claim_workflows('w', 1, 30)") == []
    assert status_of(dsn, child) == "CANCELLED"
    assert fetch(dsn, "select count(*) from pgqrs.deferred") == [(0,)]


# --- a claim whose answer is lost --------------------------------------------------------------


def claim(conn: psycopg.Connection[Any], claim_id: uuid.UUID, limit: int) -> list[Any]:
    return conn.execute(
        "select workflow_id, token from pgqrs.claim(%s, %s, %s, 30) order by workflow_id",
        ("w", claim_id, limit),
    ).fetchall()


def test_a_retried_claim_returns_what_the_first_one_granted(dsn: str) -> None:
    """pgqrs.claim with a claim id: a repeat of the call (its first answer lost) returns the
    same workflows with the same tokens, claims nothing new and counts no recovery."""
    ids = sorted(start(dsn, "job", str(i)) for i in range(5))
    fetch(dsn, "select pgqrs.register_worker('w', array['job'], 3)")
    claim_id = uuid.uuid4()
    # The first answer is thrown away with its connection (the claim committed).
    with psycopg.connect(dsn, autocommit=True) as lost:
        first = claim(lost, claim_id, 3)
    assert len(first) == 3 and all(token == 1 for _, token in first)
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert claim(conn, claim_id, 3) == first
        assert claim(conn, claim_id, 3) == first
    rows = fetch(
        dsn,
        "select id, status, lease_owner, lease_token, recoveries from pgqrs.workflows order by id",
    )
    granted = {w for w, _ in first}
    assert [r[1:] for r in rows if r[0] in granted] == [("RUNNING", "w", 1, 0)] * 3
    assert [r[1:] for r in rows if r[0] not in granted] == [("PENDING", None, 0, 0)] * 2
    assert {r[0] for r in rows} == set(ids)
    # A new claim id claims the rest.
    with psycopg.connect(dsn, autocommit=True) as conn:
        rest = claim(conn, uuid.uuid4(), 3)
    assert {w for w, _ in rest} == set(ids) - granted


def test_a_claim_compiles_none_of_its_queries(dsn: str) -> None:
    """pgqrs.claim plans with enable_sort = off, which costs a plan that still sorts (the retry
    lookup by claim id, the order of several names) above jit_above_cost: each claim then spent
    100 ms or more compiling. No query of a claim is JIT-compiled (seen by auto_explain)."""
    for i in range(4):
        start(dsn, "job" if i % 2 else "other", str(i))
    with psycopg.connect(dsn, autocommit=True) as conn:
        if conn.execute("select pg_catalog.pg_jit_available()").fetchone() != (True,):
            pytest.skip("this server has no JIT")
        try:
            conn.execute("load 'auto_explain'")
        except psycopg.errors.UndefinedFile:
            pytest.skip("this server has no auto_explain")
        plans: list[str] = []
        conn.add_notice_handler(lambda diag: plans.append(diag.message_primary or ""))
        conn.execute("select pgqrs.register_worker('w', array['job', 'other'], 4)")
        conn.execute(
            "set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on;"
            " set auto_explain.log_level = notice"
        )
        claim_id = uuid.uuid4()
        for _ in range(2):  # a claim, and its retry
            assert len(claim(conn, claim_id, 3)) == 3
        conn.execute("select * from pgqrs.claim_workflows('w', 3, 30)")
    assert any("pgqrs.workflows" in plan for plan in plans)
    assert [plan for plan in plans if "JIT:" in plan] == []


class ClaimAnswerDropper:
    """A TCP proxy in front of the test server. Armed, it cuts the connection that sends the
    next claim (a statement calling ``pgqrs.claim...``) once the server's whole answer to it is
    in (ReadyForQuery: the claim has committed), instead of passing that answer on."""

    def __init__(self, dsn: str) -> None:
        self.params = conninfo_to_dict(dsn)
        self.armed = True
        self.dropped = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    def dsn(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        params = {**self.params, "host": "127.0.0.1", "port": port}
        return make_conninfo("", **params, sslmode="disable", gssencmode="disable")

    async def __aenter__(self) -> ClaimAnswerDropper:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        host = str(self.params.get("host") or "localhost")
        port = int(self.params.get("port") or 5432)
        if host.startswith("/"):
            return await asyncio.open_unix_connection(f"{host}/.s.PGSQL.{port}")
        return await asyncio.open_connection(host, port)

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(client_w)
        server_r, server_w = await self._connect()
        self._writers.add(server_w)
        doomed = threading.Event()

        def cut() -> None:
            for writer in (client_w, server_w):
                writer.transport.abort()

        async def upstream() -> None:
            while data := await client_r.read(65536):
                if self.armed and b"pgqrs.claim" in data:
                    self.armed = False
                    doomed.set()  # before the server can answer
                server_w.write(data)
                await server_w.drain()
            server_w.close()

        async def downstream() -> None:
            # Server messages are framed (type byte, int32 length) from the first byte on, as
            # the client asks for no SSL or GSS encryption.
            pending = bytearray()
            while data := await server_r.read(65536):
                pending += data
                out = bytearray()
                while len(pending) >= 5 and len(pending) >= 1 + int.from_bytes(pending[1:5]):
                    size = 1 + int.from_bytes(pending[1:5])
                    message, pending[:size] = bytes(pending[:size]), b""
                    if not doomed.is_set():
                        out += message
                    elif message[:1] == b"Z":
                        self.dropped += 1
                        cut()
                        return
                if out:
                    client_w.write(out)
                    await client_w.drain()
            client_w.close()

        await asyncio.gather(upstream(), downstream(), return_exceptions=True)
        cut()
        self._writers -= {client_w, server_w}
        self._tasks.discard(task)


def test_a_worker_whose_claim_answer_is_lost_gets_the_same_workflows(dsn: str) -> None:
    """The worker's connection drops after its claim committed: its retry (same claim id) gets
    the same workflows and tokens, so they run at once, each once, with no recovery counted
    (before, they stayed leased to nobody until their leases expired, and counted a
    recovery each)."""
    ids = [start(dsn, "job", str(i)) for i in range(3)]

    async def main() -> None:
        async with ClaimAnswerDropper(dsn) as proxy:
            async with worker_on(
                proxy.dsn(), [job], concurrency=3, lease_seconds=3, prepare_threshold=None
            ) as (_, _store, admin):
                results = [await admin.handle(i).result(timeout=20) for i in ids]
            assert results == [0, 1, 2]
            assert proxy.dropped == 1

    asyncio.run(main())
    assert ran == {"touch(0)": 1, "touch(1)": 1, "touch(2)": 1}
    rows = fetch(
        dsn,
        "select status, lease_token, recoveries from pgqrs.workflows where id = any(%s)",
        (ids,),
    )
    assert rows == [("SUCCESS", 1, 0)] * 3
