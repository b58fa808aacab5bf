"""Filling a pgqrs database with history and backlog fast, for the figures that compare a large
database with an empty one (figures 7 and 8).

The rows are written straight into ``pgqrs.workflows`` and ``pgqrs.steps`` with
``INSERT ... SELECT ... FROM generate_series``, as the benchmark's role, with the column values
that the SQL API leaves in each state (see :data:`FINISHED` and :data:`QUEUED`). That takes
seconds per 100,000 rows, where the API would take minutes. When the role may (a superuser),
``session_replication_role = replica`` skips the foreign-key triggers of ``pgqrs.steps``: every
step row refers to a workflow inserted just before. Then ``VACUUM (ANALYZE)``, as autovacuum
would have done to data that old, so that the visibility map and the statistics are those of a
database in use.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg

#: A time-ordered UUID (version 7) for row ``i`` created at ``t``: the same layout as
#: pgqrs._uuid_v7(), with the random bits taken from md5(tag || i) so that a child can name its
#: parent's id.
_UUID = (
    "(pg_catalog.lpad(pg_catalog.to_hex((extract(epoch from {t}) * 1000)::bigint), 12, '0')"
    " || '7' || pg_catalog.substr(pg_catalog.md5({tag} || {i}), 1, 3)"
    " || '8' || pg_catalog.substr(pg_catalog.md5({tag} || {i}), 4, 15))::uuid"
)

#: Finished workflows: ``%(n)s`` of them over the last 30 days, of ``%(names)s`` names
#: (``<prefix>_<k>``), 90% SUCCESS, 5% FAILED, 3% CANCELLED, 2% DEAD; one in seven is the child
#: of the workflow before it; one in eleven has an idempotency key. Each ran once under a worker's
#: lease (queued, token 1; 2 when cancelled or set aside, which moves the token on) and has 1 to 3
#: steps (:data:`FINISHED_STEPS`).
FINISHED = f"""
insert into pgqrs.workflows
       (id, name, idempotency_key, status, input, output, error, lease_owner, lease_token,
        lease_expires_at, created_at, updated_at, started_at, finished_at, queued, available_at,
        recoveries, max_recoveries, deadline_at, attempt, max_attempts, parent_id, claim_id)
select {_UUID.format(t="c.t", tag="'h'", i="g.i")},
       %(prefix)s || '_' || (g.i %% %(names)s),
       case when g.i %% 11 = 3 then 'order-' || g.i end,
       c.status,
       pg_catalog.jsonb_build_object('order', g.i, 'customer', 'c' || (g.i %% 1000),
                                     'amount', (g.i %% 997) * 1.25),
       case when c.status = 'SUCCESS' then pg_catalog.jsonb_build_object('ok', true, 'i', g.i) end,
       case c.status
           when 'FAILED' then pg_catalog.jsonb_build_object(
               'type', 'ValueError', 'message', 'card declined for order ' || g.i,
               'traceback', pg_catalog.repeat('  File "app.py", line 42, in charge' || chr(10), 4),
               'retryable', true)
           when 'CANCELLED' then pg_catalog.jsonb_build_object(
               'type', 'pgqrs.Cancelled', 'message', 'cancelled by operator', 'traceback', null)
           when 'DEAD' then pg_catalog.jsonb_build_object(
               'type', 'pgqrs.CrashLoop',
               'message', 'its runner died 6 times (max_recoveries is 5)', 'traceback', null)
       end,
       null,
       case when c.status in ('CANCELLED', 'DEAD') then 2 else 1 end,
       null,
       c.t, c.t + interval '40 ms', c.t + interval '2 ms', c.t + interval '40 ms',
       true, c.t,
       case when c.status = 'DEAD' then 6 else 0 end, 5,
       case when c.status = 'CANCELLED' then c.t + interval '1 minute' end,
       1, 1,
       case when g.i %% 7 = 6 then {_UUID.format(t="p.t", tag="'h'", i="(g.i - 1)")} end,
       pg_catalog.gen_random_uuid()
  from pg_catalog.generate_series(1, %(n)s) g (i)
 cross join lateral (
     select %(now)s::timestamptz - interval '30 days' * (%(n)s - g.i) / %(n)s as t,
            case when g.i %% 100 < 2 then 'DEAD'
                 when g.i %% 100 < 5 then 'CANCELLED'
                 when g.i %% 100 < 10 then 'FAILED'
                 else 'SUCCESS' end as status) c
 cross join lateral (
     select %(now)s::timestamptz - interval '30 days' * (%(n)s - g.i + 1) / %(n)s as t) p
"""

FINISHED_STEPS = f"""
insert into pgqrs.steps
       (workflow_id, step_key, status, output, error, attempt, lease_token, started_at,
        finished_at, position, owner, attempt_started_at)
select {_UUID.format(t="c.t", tag="'h'", i="g.i")},
       (array['reserve', 'charge', 'ship'])[k.k],
       case when k.k = g.i %% 3 + 1 and g.i %% 100 between 5 and 9 then 'FAILED'
            else 'SUCCESS' end,
       case when k.k = g.i %% 3 + 1 and g.i %% 100 between 5 and 9 then null
            else pg_catalog.jsonb_build_object('ok', true, 'step', k.k, 'i', g.i) end,
       case when k.k = g.i %% 3 + 1 and g.i %% 100 between 5 and 9
            then pg_catalog.jsonb_build_object('type', 'ValueError',
                                               'message', 'card declined', 'traceback', null) end,
       1, 1,
       c.t + k.k * interval '10 ms', c.t + k.k * interval '10 ms' + interval '5 ms',
       k.k, 'worker-' || (g.i %% 4), c.t + k.k * interval '10 ms'
  from pg_catalog.generate_series(1, %(n)s) g (i)
 cross join lateral (
     select %(now)s::timestamptz - interval '30 days' * (%(n)s - g.i) / %(n)s as t) c
 cross join lateral pg_catalog.generate_series(1, g.i %% 3 + 1) k (k)
"""

#: Queued workflows of ``%(names)s`` names that no worker of the benchmark serves: 90% PENDING
#: and available (from up to an hour ago), 5% PENDING and scheduled (available within a day),
#: 5% RUNNING under a live lease of another worker (with a finished step and a running one,
#: :data:`QUEUED_STEPS`); one in eleven has a deadline a week away.
QUEUED = f"""
insert into pgqrs.workflows
       (id, name, status, input, lease_owner, lease_token, lease_expires_at, created_at,
        updated_at, started_at, queued, available_at, deadline_at, claim_id)
select {_UUID.format(t="c.created", tag="'q'", i="g.i")},
       %(prefix)s || '_' || (g.i %% %(names)s),
       case when c.running then 'RUNNING' else 'PENDING' end,
       pg_catalog.jsonb_build_object('order', g.i, 'customer', 'c' || (g.i %% 1000)),
       case when c.running then 'other-worker-' || (g.i %% 3) end,
       case when c.running then 1 else 0 end,
       case when c.running then %(now)s::timestamptz + interval '30 seconds' end,
       c.created,
       case when c.running then %(now)s::timestamptz else c.created end,
       case when c.running then %(now)s::timestamptz - interval '5 seconds' end,
       true,
       case when g.i %% 20 = 7 and not c.running
            then %(now)s::timestamptz + interval '1 day' * (g.i %% 97) / 97
            else c.created end,
       case when g.i %% 11 = 4 then %(now)s::timestamptz + interval '7 days' end,
       case when c.running then pg_catalog.gen_random_uuid() end
  from pg_catalog.generate_series(1, %(n)s) g (i)
 cross join lateral (
     select %(now)s::timestamptz - interval '1 hour' * (%(n)s - g.i + 1) / %(n)s as created,
            g.i %% 19 = 11 as running) c
"""

QUEUED_STEPS = f"""
insert into pgqrs.steps
       (workflow_id, step_key, status, output, attempt, lease_token, started_at, finished_at,
        position, owner, attempt_started_at)
select {_UUID.format(t="c.created", tag="'q'", i="g.i")},
       (array['reserve', 'charge'])[k.k],
       case k.k when 1 then 'SUCCESS' else 'RUNNING' end,
       case k.k when 1 then pg_catalog.jsonb_build_object('ok', true, 'i', g.i) end,
       1, 1,
       %(now)s::timestamptz - interval '4 seconds' + k.k * interval '1 second',
       case k.k when 1 then %(now)s::timestamptz - interval '3 seconds' end,
       k.k, 'other-worker-' || (g.i %% 3),
       %(now)s::timestamptz - interval '4 seconds' + k.k * interval '1 second'
  from pg_catalog.generate_series(1, %(n)s) g (i)
 cross join lateral (
     select %(now)s::timestamptz - interval '1 hour' * (%(n)s - g.i + 1) / %(n)s as created) c
 cross join lateral pg_catalog.generate_series(1, 2) k (k)
 where g.i %% 19 = 11
"""


async def fill(
    conn: psycopg.AsyncConnection[Any],
    *,
    finished: int,
    queued: int,
    finished_prefix: str = "history",
    queued_prefix: str = "backlog",
    finished_names: int = 20,
    queued_names: int = 10,
) -> dict[str, Any]:
    """Fill the database of ``conn`` (autocommit) and return how long each part took (s), how
    many rows each table got, and whether the foreign-key triggers were skipped."""
    timings: dict[str, float] = {}
    (now,) = (await (await conn.execute("SELECT pg_catalog.clock_timestamp()")).fetchone()) or (
        None,
    )
    replica = True
    try:
        await conn.execute("SET session_replication_role = replica")
    except psycopg.Error:
        replica = False  # not a superuser: the foreign keys are checked, which is slower
    try:
        for key, query, params in (
            (
                "workflows_finished",
                FINISHED,
                {"n": finished, "names": finished_names, "prefix": finished_prefix},
            ),
            ("steps_finished", FINISHED_STEPS, {"n": finished}),
            (
                "workflows_queued",
                QUEUED,
                {"n": queued, "names": queued_names, "prefix": queued_prefix},
            ),
            ("steps_queued", QUEUED_STEPS, {"n": queued}),
        ):
            if not params["n"]:
                continue
            t0 = time.perf_counter()
            await conn.execute(query, {**params, "now": now})  # type: ignore[arg-type]
            timings[key] = round(time.perf_counter() - t0, 2)
    finally:
        if replica:
            await conn.execute("RESET session_replication_role")
    t0 = time.perf_counter()
    await conn.execute("VACUUM (ANALYZE) pgqrs.workflows, pgqrs.steps")
    timings["vacuum_analyze"] = round(time.perf_counter() - t0, 2)
    counts = await (
        await conn.execute(
            "SELECT (SELECT count(*) FROM pgqrs.workflows), (SELECT count(*) FROM pgqrs.steps),"
            " pg_catalog.pg_total_relation_size('pgqrs.workflows'),"
            " pg_catalog.pg_total_relation_size('pgqrs.steps')"
        )
    ).fetchone()
    assert counts is not None
    return {
        "seconds": timings,
        "total_s": round(sum(timings.values()), 2),
        "workflows": counts[0],
        "steps": counts[1],
        "workflows_bytes": counts[2],
        "steps_bytes": counts[3],
        "fk_triggers_skipped": replica,
    }


#: ``%(n)s`` PENDING workflows of name ``%(name)s`` queued as start_workflow queues them (input
#: the number i, available from its creation), created in order over the last ``%(n)s`` ms.
QUEUE = f"""
insert into pgqrs.workflows (id, name, input, created_at, updated_at, queued, available_at)
select {_UUID.format(t="c.t", tag="%(name)s", i="g.i")}, %(name)s, pg_catalog.to_jsonb(g.i),
       c.t, c.t, true, c.t
  from pg_catalog.generate_series(1, %(n)s) g (i)
 cross join lateral (
     select pg_catalog.clock_timestamp() - interval '1 ms' * (%(n)s - g.i) as t) c
"""


async def queue(conn: psycopg.AsyncConnection[Any], name: str, n: int) -> float:
    """Queue ``n`` workflows of ``name`` (for the one-step workflow of bench/flows.py); return
    the seconds it took."""
    t0 = time.perf_counter()
    await conn.execute(QUEUE, {"name": name, "n": n})
    return time.perf_counter() - t0
