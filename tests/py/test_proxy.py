"""Scale-out through a PL/Proxy proxy (docs/scale-out.md): what the core modules' second run
through a proxy (conftest.py, PROXY_MODULES) does not show by itself.

* The routing table covers the API (a public function without a route fails the generator),
  and the proxy's functions have the shards' signatures, results, comments and settings.
* Ids made on a shard carry its number, and each workflow lives on that shard only; values
  without a shard number (an id the caller chose, an idempotency key) go where their hash says,
  a child where its parent is, and what cannot live together is refused (PQ008).
* Adding a shard moves nothing; keys stay unique across the cluster.
* Claims never hand out more than their limit, are idempotent per claim id, and reach every
  shard; listings merge the shards in order, with keyset pagination.
* A transactional step through the proxy fails loudly (PQ005) instead of being at-least-once.
* Two separate servers, one stopped: the other shard's workflows go on, the stopped one's wait,
  and come back with it; pgqrs cluster status says which is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib.util
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from conftest import REPO_ROOT, Clusters, drop_databases, make_cluster
from helpers import fetch

import pgqrs
from pgqrs import PyWorkflow, _cli
from pgqrs._cluster import cluster_status, init_cluster
from pgqrs.decorators import step, transaction, workflow
from pgqrs.testing import TEST_SETTINGS, Server, TemporaryCluster, create_database

pytestmark = pytest.mark.proxy


def _gen_proxy() -> Any:
    spec = importlib.util.spec_from_file_location("gen_proxy", REPO_ROOT / "tools" / "gen_proxy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_proxy"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def cluster(clusters: Clusters) -> Iterator[tuple[str, list[str]]]:
    """(proxy DSN, the three shards' DSNs)."""
    with clusters.cluster() as made:
        yield made


def shard_of_hash(value: str, shards: int) -> int:
    """Where the proxy puts a value without a shard number (pgqrs_proxy._hash)."""
    return int(hashlib.md5(value.encode()).hexdigest()[:7], 16) % shards


def embedded(workflow_id: Any) -> int | None:
    """The shard number a pgqrs-made id carries (version 8), else None."""
    found = uuid.UUID(str(workflow_id))
    return found.int >> 64 & 0xFFF if found.version == 8 else None


def where(shards: list[str], workflow_id: Any) -> list[int]:
    """The shards whose pgqrs.workflows holds that id."""
    return [
        n
        for n, dsn in enumerate(shards)
        if fetch(dsn, "select 1 from pgqrs.workflows where id = %s", (workflow_id,))
    ]


def one(dsn: str, query: str, params: Any = ()) -> Any:
    return fetch(dsn, query, params)[0][0]


@contextlib.contextmanager
def raises(sqlstate: str, match: str = "") -> Iterator[None]:
    """The block raises a server error with that SQLSTATE (and a message containing ``match``)."""
    with pytest.raises(psycopg.Error) as caught:
        yield
    assert caught.value.sqlstate == sqlstate, caught.value
    assert match in str(caught.value), caught.value


# --- the routing table and the signatures ------------------------------------------------------


def test_every_public_function_has_a_route() -> None:
    gen = _gen_proxy()
    version = gen.building()
    api = gen.functions((REPO_ROOT / "sql" / f"pgqrs--{version}.sql").read_text(), "api")
    table = gen.routes(gen.ROUTES.read_text())
    custom_text = (gen.PROXY / "src" / "10_functions.sql").read_text()
    custom = gen.functions(custom_text, "custom")
    gen.check(api, table, custom)  # the real table is complete
    assert gen.generate() == {
        path: path.read_text() for path in (gen.PROXY / f"pgqrs-proxy--{version}.sql",)
    }, "the proxy script is stale: make gen"
    # A function added to the API without a line in routes.txt fails the generator.
    without = {name: route for name, route in table.items() if name != "heartbeat"}
    with pytest.raises(gen.RouteError, match=r"pgqrs\.heartbeat has no route"):
        gen.check(api, without, custom)
    with pytest.raises(gen.RouteError, match="routes no_such_function"):
        gen.check(api, {**table, "no_such_function": ["id", "p_id"]}, custom)


SIGNATURES = """
    select p.proname, pg_catalog.pg_get_function_arguments(p.oid),
           pg_catalog.pg_get_function_result(p.oid), p.provolatile, p.prosecdef,
           (select pg_catalog.array_agg(c) from pg_catalog.unnest(p.proconfig) c
             where c like 'search_path=%%'),  -- not the planner settings a body needs
           pg_catalog.obj_description(p.oid, 'pg_proc')
      from pg_catalog.pg_proc p
     where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
     order by 1, 2
"""


def test_the_proxy_has_the_shards_signatures(cluster: tuple[str, list[str]]) -> None:
    proxy, shards = cluster
    on_proxy, on_shard = fetch(proxy, SIGNATURES), fetch(shards[0], SIGNATURES)
    assert len(on_proxy) >= 50
    assert on_proxy == on_shard
    granted = fetch(
        proxy,
        "select p.oid::regprocedure::text from pg_catalog.pg_proc p"
        " where p.pronamespace in ('pgqrs'::regnamespace, 'pgqrs_proxy'::regnamespace)"
        " and pg_catalog.has_function_privilege('public', p.oid, 'execute')",
    )
    assert granted == []


# --- where workflows live ----------------------------------------------------------------------


def test_ids_name_their_shard(cluster: tuple[str, list[str]]) -> None:
    proxy, shards = cluster
    ids = [
        one(proxy, "select workflow_id from pgqrs.submit_workflow('w', %s::text::jsonb)", (n,))
        for n in range(30)
    ]
    numbers = [embedded(i) for i in ids]
    assert set(numbers) == {0, 1, 2}  # placed at random: 3 * (2/3)**30 to miss one
    for workflow_id, number in zip(ids, numbers, strict=True):
        assert where(shards, workflow_id) == [number]
    # Every call about one finds it there.
    for workflow_id in ids[:3]:
        assert one(proxy, "select status from pgqrs.get_workflow(%s)", (workflow_id,)) == "PENDING"
        assert one(proxy, "select pgqrs.cancel_workflow(%s)", (workflow_id,)) is True


def test_values_without_a_shard_number_go_where_their_hash_says(
    cluster: tuple[str, list[str]],
) -> None:
    proxy, shards = cluster
    for n in range(12):
        chosen = uuid.uuid4()
        made = one(
            proxy,
            "select workflow_id from pgqrs.create_workflow('w', %s::text::jsonb, %s)",
            (n, chosen),
        )
        assert made == chosen
        assert where(shards, chosen) == [shard_of_hash(str(chosen), 3)]
        key = f"order-{n}"
        keyed = one(
            proxy,
            "select workflow_id from pgqrs.submit_workflow('w', %s::text::jsonb,"
            " jsonb_build_object('idempotency_key', %s::text))",
            (n, key),
        )
        assert where(shards, keyed) == [shard_of_hash(key, 3)]
        assert embedded(keyed) == shard_of_hash(key, 3)  # made there, so it carries that shard
    # A key that starts with a workflow id goes with that workflow (the Python client's keys
    # for its children and messages).
    parent = one(proxy, "select workflow_id from pgqrs.submit_workflow('w', '1')")
    child = one(
        proxy,
        "select workflow_id from pgqrs.submit_workflow('w', '2', jsonb_build_object("
        "'parent_id', %s::text, 'idempotency_key', %s::text))",
        (parent, f"{parent}/pgqrs.start_child"),
    )
    assert embedded(child) == embedded(parent)


def test_what_cannot_live_together_is_refused(cluster: tuple[str, list[str]]) -> None:
    proxy, _ = cluster
    parent = one(proxy, "select workflow_id from pgqrs.submit_workflow('w', '1')")
    elsewhere = next(f"k{n}" for n in range(100) if shard_of_hash(f"k{n}", 3) != embedded(parent))
    with raises("PQ008", "parent's shard"):
        fetch(
            proxy,
            "select * from pgqrs.submit_workflow('w', '2', jsonb_build_object("
            "'parent_id', %s::text, 'idempotency_key', %s::text))",
            (parent, elsewhere),
        )
    chosen = next(u for u in (uuid.uuid4() for _ in range(100)) if shard_of_hash(str(u), 3) != 0)
    key0 = next(f"k{n}" for n in range(100) if shard_of_hash(f"k{n}", 3) == 0)
    with raises("PQ008", "not both"):
        fetch(proxy, "select * from pgqrs.create_workflow('w', '1', %s, %s)", (chosen, key0))
    # A version 8 id naming a shard the cluster does not have: never stored, and not found.
    foreign = uuid.UUID(f"01a24300-0000-8{7:03x}-8000-000000000000")
    with raises("PQ008", "names shard 7"):
        fetch(proxy, "select * from pgqrs.create_workflow('w', '1', %s)", (foreign,))
    with raises("PQ001"):
        fetch(proxy, "select * from pgqrs.get_workflow(%s)", (foreign,))
    # A fork lives with its source; a caller's id for it must belong there.
    with raises("PQ008", "would live on shard"):
        other = next(
            u
            for u in (uuid.uuid4() for _ in range(100))
            if shard_of_hash(str(u), 3) != embedded(parent)
        )
        fetch(proxy, "select pgqrs.fork_workflow(%s, null, %s)", (parent, other))


def test_keys_stay_unique_across_the_cluster(cluster: tuple[str, list[str]]) -> None:
    proxy, shards = cluster
    made = {
        one(
            proxy,
            "select workflow_id from pgqrs.submit_workflow('w', '1', %s::jsonb)",
            ('{"idempotency_key": "k"}',),
        )
        for _ in range(10)
    }
    assert len(made) == 1
    assert sum(one(dsn, "select count(*) from pgqrs.workflows") for dsn in shards) == 1


def test_adding_a_shard_moves_nothing(pg_server: Server, clusters: Clusters) -> None:
    proxy, shards, names = make_cluster(pg_server, shards=2)
    extra = f"{names[0][:-3]}_s2"
    try:
        before = {}
        for n in range(8):
            made = one(
                proxy, "select workflow_id from pgqrs.submit_workflow('w', %s::text::jsonb)", (n,)
            )
            keyed = one(
                proxy,
                "select workflow_id from pgqrs.submit_workflow('w', %s::text::jsonb,"
                " jsonb_build_object('idempotency_key', %s::text))",
                (n, f"key-{n}"),
            )
            chosen = uuid.uuid4()
            one(
                proxy,
                "select workflow_id from pgqrs.create_workflow('w', %s::text::jsonb, %s)",
                (n, chosen),
            )
            before[made] = before[keyed] = before[chosen] = n
        third = create_database(pg_server.dsn, extra, template="pgqrs_template")
        init_cluster(proxy, [*shards, third])
        for workflow_id, n in before.items():
            info = fetch(proxy, "select input from pgqrs.get_workflow(%s)", (workflow_id,))
            assert info == [(n,)], workflow_id
        for n in range(8):  # a key still finds its workflow: it hashes over the first two shards
            again = fetch(
                proxy,
                "select workflow_id, created from pgqrs.submit_workflow('w', %s::text::jsonb,"
                " jsonb_build_object('idempotency_key', %s::text))",
                (n, f"key-{n}"),
            )
            assert again[0][1] is False and again[0][0] in before
        new = [
            one(proxy, "select workflow_id from pgqrs.submit_workflow('w', '42')")
            for _ in range(30)
        ]
        assert 2 in {embedded(i) for i in new}  # the new shard takes new work
    finally:
        drop_databases(pg_server, [*names, extra])


# --- claims and listings -----------------------------------------------------------------------


def test_claims_keep_their_limit_and_reach_every_shard(cluster: tuple[str, list[str]]) -> None:
    proxy, _ = cluster
    started = {
        one(proxy, "select workflow_id from pgqrs.submit_workflow('job', %s::text::jsonb)", (n,))
        for n in range(30)
    }
    assert {embedded(i) for i in started} == {0, 1, 2}
    one(proxy, "select pgqrs.register_worker('w', '{job}', 4)")
    claimed: set[Any] = set()
    for _ in range(20):
        claim_id = uuid.uuid4()
        rows = fetch(proxy, "select workflow_id, token from pgqrs.claim('w', %s, 4)", (claim_id,))
        assert len(rows) <= 4
        # A retry (same claim id) hands back exactly what the first call granted.
        assert sorted(
            fetch(proxy, "select workflow_id, token from pgqrs.claim('w', %s, 4)", (claim_id,))
        ) == sorted(rows)
        claimed |= {r[0] for r in rows}
        if not rows:
            break
    assert claimed == started
    assert one(proxy, "select count(*) from pgqrs.claim_workflows('w', 5)") == 0
    assert one(proxy, "select pgqrs.stop_worker('w')") == 30


def test_listings_merge_the_shards_in_order(cluster: tuple[str, list[str]]) -> None:
    proxy, _ = cluster
    for n in range(25):
        one(
            proxy,
            "select workflow_id from pgqrs.submit_workflow(%s, %s::text::jsonb)",
            (f"n{n % 2}", n),
        )
    everything = fetch(
        proxy, "select id, created_at from pgqrs.list_workflows_page(p_limit => 100)"
    )
    assert len(everything) == 25
    assert everything == sorted(everything, key=lambda r: (r[1], r[0]), reverse=True)
    paged: list[Any] = []
    cursor: tuple[Any, Any] = (None, None)
    while True:
        page = fetch(
            proxy,
            "select id, created_at from pgqrs.list_workflows_page(p_limit => 7,"
            " p_before_created_at => %s, p_before_id => %s)",
            cursor,
        )
        paged += page
        if len(page) < 7:
            break
        cursor = (page[-1][1], page[-1][0])
    assert paged == everything
    counts = fetch(proxy, "select name, status, count from pgqrs.workflow_counts()")
    assert counts == [("n0", "PENDING", 13), ("n1", "PENDING", 12)]


# --- transactional steps -----------------------------------------------------------------------


@transaction
async def insert_row(ctx: PyWorkflow, conn: psycopg.AsyncConnection[Any]) -> int:
    await conn.execute("insert into proxy_local (workflow_id) values (%s)", (ctx.id,))
    return 1


@workflow
async def transactional(ctx: PyWorkflow) -> int:
    return await insert_row(ctx)


def test_a_transactional_step_fails_loudly(cluster: tuple[str, list[str]]) -> None:
    proxy, _ = cluster
    fetch(proxy, "create table proxy_local (workflow_id uuid)")

    async def main() -> None:
        async with await pgqrs.connect(proxy) as store:
            ctx = await pgqrs.admin(store).create_workflow("transactional")
            with pytest.raises(pgqrs.InvalidStateError, match="commits on its shard on its own"):
                await transactional(ctx)

    asyncio.run(main())
    assert one(proxy, "select count(*) from proxy_local") == 0  # rolled back, not half-done
    # The same from psql: a write to the proxy, then any pgqrs write in that transaction.
    with psycopg.connect(proxy) as conn:
        conn.execute("insert into proxy_local values (null)")
        with raises("PQ005"):
            conn.execute("select * from pgqrs.submit_workflow('w', '1')")


# --- a shard that is down ----------------------------------------------------------------------


@step
async def double(ctx: PyWorkflow, n: int) -> int:
    return 2 * n


@workflow
async def waits_then_doubles(ctx: PyWorkflow, n: int) -> int:
    await ctx.recv("go")
    return await double(ctx, n)


@workflow
async def doubles(ctx: PyWorkflow, n: int) -> int:
    return await double(ctx, n)


def test_a_down_shard_stops_only_its_own_workflows(
    pg_server: Server, proxy_template_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with TemporaryCluster(TEST_SETTINGS) as a, TemporaryCluster(TEST_SETTINGS) as b:
        shard_a = create_database(a.dsn, "shard")
        shard_b = create_database(b.dsn, "shard")
        name = f"t_{uuid.uuid4().hex[:12]}_p"
        proxy = create_database(pg_server.dsn, name, template="pgqrs_proxy_template")
        try:
            assert (
                _cli.main(
                    ["cluster", "init", "--proxy", proxy, "--shard", shard_a, "--shard", shard_b]
                )
                == 0
            )
            capsys.readouterr()

            async def main() -> None:
                async with await pgqrs.connect(proxy, retry_timeout=2) as store:
                    admin = pgqrs.admin(store)
                    assert len(await store.listen_dsns()) == 2  # LISTEN on each shard
                    worker = pgqrs.Worker(store, [waits_then_doubles, doubles], concurrency=8)
                    task = asyncio.create_task(worker.run())
                    waiting = [await admin.start_workflow(waits_then_doubles, n) for n in range(12)]
                    on_b = [h for h in waiting if embedded(h.id) == 1]
                    on_a = [h for h in waiting if embedded(h.id) == 0]
                    assert on_a and on_b
                    for h in waiting:  # each waits for its message, suspended
                        await poll_suspended(admin, h.id)
                    b.stop()
                    # Shard 0 goes on: its waiting workflows finish, new work runs there.
                    for h in on_a:
                        await admin.send(h.id, "go")
                    for h in on_a:
                        assert await h.result(timeout=30) == 2 * (await h.info()).input
                    # New work placed at random goes to the shard that answers: started from
                    # new proxy sessions. One that used shard 1 in the last 2 s still holds its
                    # connection there, which PL/Proxy reuses unchecked: a start without id or
                    # key sent on it fails with the shard's 57P01 (docs/scale-out.md, Errors).
                    async with await pgqrs.connect(proxy) as other:
                        fresh = [
                            await pgqrs.admin(other).start_workflow(doubles, n) for n in range(6)
                        ]
                        assert {embedded(h.id) for h in fresh} == {0}  # shard 1 refuses
                        assert [await h.result(timeout=30) for h in fresh] == [0, 2, 4, 6, 8, 10]
                    status = cluster_status(proxy)
                    assert [(s.shard, s.up) for s in status] == [(0, True), (1, False)]
                    assert _cli.main(["cluster", "status", "--proxy", proxy]) == 1
                    assert "DOWN" in capsys.readouterr().out
                    with pytest.raises(psycopg.Error):
                        await on_b[0].info()
                    # Shard 1 comes back: its workflows go on from where they were.
                    b.start()
                    for h in on_b:
                        await admin.send(h.id, "go")
                    for h in on_b:
                        assert await h.result(timeout=60) == 2 * (await h.info()).input
                    worker.stop()
                    await asyncio.wait_for(task, 30)

            asyncio.run(main())
        finally:
            drop_databases(pg_server, [name])


async def poll_suspended(admin: pgqrs.Admin, workflow_id: Any) -> None:
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        info = await admin.get_workflow(workflow_id)
        if info.status == "RUNNING" and info.lease_owner is None:
            return
        assert asyncio.get_running_loop().time() < deadline, info
        await asyncio.sleep(0.02)


OLD_KEY = '{"idempotency_key": "old"}'


def test_a_cluster_grown_from_a_single_server_keeps_its_workflows(
    pg_server: Server, dsn: str, proxy_template_dsn: str
) -> None:
    """A database with workflows can be shard 0 of a new cluster: its ids carry no shard
    number, so everything without one stays on it (hash_shards = 1)."""
    old = one(
        dsn,
        "select workflow_id from pgqrs.submit_workflow('w', '1', '{\"idempotency_key\": \"old\"}')",
    )
    name = f"t_{uuid.uuid4().hex[:12]}"
    second = create_database(pg_server.dsn, f"{name}_s1", template="pgqrs_template")
    proxy = create_database(pg_server.dsn, f"{name}_p", template="pgqrs_proxy_template")
    try:
        init_cluster(proxy, [dsn, second])
        assert one(proxy, "select status from pgqrs.get_workflow(%s)", (old,)) == "PENDING"
        again = fetch(
            proxy,
            "select workflow_id, created from pgqrs.submit_workflow('w', '1', %s::jsonb)",
            (OLD_KEY,),
        )
        assert again == [(old, False)]
        third = create_database(pg_server.dsn, f"{name}_s2", template="pgqrs_template")
        fetch(third, "select pgqrs.create_workflow('w', '1')")
        with pytest.raises(pgqrs.InvalidArgumentError, match="only the first shard"):
            init_cluster(proxy, [dsn, second, third])
    finally:
        drop_databases(pg_server, [f"{name}_s1", f"{name}_s2", f"{name}_p"])
