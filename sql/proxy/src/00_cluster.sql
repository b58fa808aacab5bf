-- MODEL OF THE PROXY
--   A pgqrs cluster is N shards, each a database with pgqrs installed and its number in
--   pgqrs.instance.shard, and a proxy: a database with PL/Proxy whose schema pgqrs has every
--   function of a single-node install, with the same signatures, results and SQLSTATEs, each
--   running on the shard (or shards) where its work lives. Clients connect to the proxy as they
--   would to one server. docs/scale-out.md explains the design; this file holds what the
--   generated functions rely on:
--
--   pgqrs_proxy.cluster  one row: how many shards there are, how many there were at the start
--                        (hash_shards), and the notification key shared by every shard.
--   pgqrs_proxy.shards   one row per shard: its number (its partition in PL/Proxy's server
--                        pgqrs_cluster) and its connection string.
--   pgqrs_proxy.workers  the workers registered through this proxy, so that a shard that was
--                        down when a worker registered learns of it when it is back.
--
-- ROUTING
--   A workflow id carries the number of the shard that made it (a version 8 UUID: see
--   pgqrs._uuid_v7 on a shard): every call about that workflow runs there. Values that carry no
--   shard number (an id the caller chose, an idempotency key, a debounce key) are hashed (the
--   first 28 bits of md5 of their text) modulo hash_shards, the number of shards the cluster was
--   created with, which never changes: adding shards moves nothing. An idempotency key that
--   starts with a workflow id and '/' (the Python client's keys for children and messages) routes
--   with that workflow. A new workflow with none of these goes to a random shard that accepts
--   new work. A child goes to its parent's shard; a message to its workflow's shard.
--
-- TRANSACTIONS
--   PL/Proxy runs each remote call in autocommit mode: a call through the proxy commits on its
--   shard when it returns, whatever the caller's transaction does afterwards. So a call that
--   writes refuses to run (PQ005) in a transaction that has written to the proxy database
--   itself (_check_alone): a transactional step, or any write meant to commit with the caller's
--   own rows, cannot be atomic through the proxy.
--
-- SECURITY
--   As on a shard: every function pins search_path, nothing is granted to PUBLIC, the API
--   functions are SECURITY DEFINER, so an application role needs only EXECUTE on them. The
--   proxy reaches the shards as the login of the user mapping of server pgqrs_cluster (pgqrs
--   cluster init), a role that owns pgqrs there or is a member of its owner.

-- A proxy holds no workflow data: refuse to turn a pgqrs install into one.
do $$
begin
    if pg_catalog.to_regclass('pgqrs.workflows') is not null then
        raise exception 'pgqrs: this database has pgqrs tables: it is a pgqrs install (or a shard), '
                        'not a proxy'
            using errcode = '42P07',
                  hint = 'Install the proxy into a database of its own (pgqrs cluster init --proxy).';
    end if;
end
$$;

create extension if not exists plproxy;

create schema if not exists pgqrs_proxy;
comment on schema pgqrs_proxy is 'pgqrs proxy: the shards of the cluster and how calls find them.';
revoke all on schema pgqrs_proxy from public;

create table if not exists pgqrs_proxy.cluster (
    singleton   boolean primary key default true check (singleton),
    shard_count integer not null default 0 check (shard_count between 0 and 4096),
    hash_shards integer check (hash_shards between 1 and 4096),
    notify_key  bytea,
    created_at  timestamptz not null default pg_catalog.clock_timestamp()
);
comment on table pgqrs_proxy.cluster is
    'One row: the number of shards, the number the cluster started with (hash_shards: values '
    'without a shard number hash into those), and the notification key every shard shares.';
insert into pgqrs_proxy.cluster (singleton) values (true) on conflict do nothing;

create table if not exists pgqrs_proxy.shards (
    shard     integer primary key check (shard between 0 and 4095),
    dsn       text not null,
    accepting boolean not null default true,
    added_at  timestamptz not null default pg_catalog.clock_timestamp()
);
comment on table pgqrs_proxy.shards is
    'The shards: number, connection string (without the login, which the user mapping of server '
    'pgqrs_cluster holds), and whether new workflows placed at random may go there.';

create table if not exists pgqrs_proxy.workers (
    name          text primary key,
    workflows     text[] not null,
    concurrency   integer not null,
    hostname      text,
    pid           integer,
    registered_at timestamptz not null
);
comment on table pgqrs_proxy.workers is
    'Workers registered through this proxy, so that a shard that missed a registration (it was '
    'down) is given it when the worker first reaches it.';

revoke all on all tables in schema pgqrs_proxy from public;

-------------------------------------------------------------------------------------------------
-- Administration (pgqrs cluster init calls these; docs/scale-out.md)
-------------------------------------------------------------------------------------------------

-- add_shard(dsn) -> shard number
-- Appends a shard: the next number, its connection string (libpq key=value, no user or
-- password: the user mapping of server pgqrs_cluster supplies the login) as option p<N> of
-- PL/Proxy's server pgqrs_cluster (made with the first shard), in one transaction.
-- set_hash_shards fixes hash_shards. Existing workflows never move: their ids name their shard,
-- and hashed values use hash_shards. Locks: the cluster row.
create or replace function pgqrs_proxy.add_shard(p_dsn text)
returns integer
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_shard integer;
begin
    if p_dsn is null or p_dsn !~ '[^[:space:]]' then
        raise exception 'pgqrs: a shard needs a connection string' using errcode = 'PQ008';
    end if;
    if p_dsn ~ '(^|\s)(user|password)\s*=' then
        raise exception 'pgqrs: a shard''s connection string must not hold a user or password'
            using errcode = 'PQ008',
                  hint = 'The user mapping of server pgqrs_cluster holds the login.';
    end if;
    select c.shard_count into v_shard from pgqrs_proxy.cluster c for update;
    insert into pgqrs_proxy.shards (shard, dsn) values (v_shard, p_dsn);
    if v_shard = 0 then
        -- PL/Proxy's validator wants a partition: the server comes with the first shard.
        -- Modular mapping: RUN ON n runs on partition n for any number of shards.
        execute pg_catalog.format(
            'create server pgqrs_cluster foreign data wrapper plproxy '
            'options (modular_mapping %L, p0 %L)', '1', p_dsn);
    else
        execute pg_catalog.format('alter server pgqrs_cluster options (add %I %L)',
                                  'p' || v_shard, p_dsn);
    end if;
    update pgqrs_proxy.cluster c set shard_count = v_shard + 1;
    return v_shard;
end
$$;
comment on function pgqrs_proxy.add_shard(text) is
    'Appends a shard (the next number) to the cluster; nothing that exists moves.';

-- set_hash_shards(n): fixes once how many shards hashed values (ids chosen by callers, keys)
-- are spread over: the number the cluster starts with. Raises PQ008 when it is already set to
-- another number, or n is not in 1..shard_count.
create or replace function pgqrs_proxy.set_hash_shards(p_count integer)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_cluster pgqrs_proxy.cluster;
begin
    select * into v_cluster from pgqrs_proxy.cluster c for update;
    if v_cluster.hash_shards = p_count then
        return;
    end if;
    if v_cluster.hash_shards is not null then
        raise exception 'pgqrs: the cluster hashes over % shards already; that never changes',
            v_cluster.hash_shards
            using errcode = 'PQ008';
    end if;
    if p_count is null or not (p_count between 1 and v_cluster.shard_count) then
        raise exception 'pgqrs: hash shards must be between 1 and %, got %',
            v_cluster.shard_count, p_count
            using errcode = 'PQ008';
    end if;
    update pgqrs_proxy.cluster c set hash_shards = p_count;
end
$$;
comment on function pgqrs_proxy.set_hash_shards(integer) is
    'Fixes, once, over how many shards values without a shard number are hashed.';

-- shards() -> (shard, dsn, accepting)
-- The shards and their connection strings, for clients that LISTEN on every shard (the
-- Python client does, to hear of new work and finished workflows at once) and for pgqrs
-- cluster status. Read-only.
create or replace function pgqrs_proxy.shards()
returns table (shard integer, dsn text, accepting boolean)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
    select s.shard, s.dsn, s.accepting from pgqrs_proxy.shards s order by s.shard
$$;
comment on function pgqrs_proxy.shards() is
    'The shards of the cluster and their connection strings (for LISTEN).';

-- shard_info(shard) -> (shard, version): the shard number a shard's pgqrs.instance holds and
-- its pgqrs version, read on that shard (pgqrs cluster status compares the number with this
-- proxy's record: a shard restored from a backup made before pgqrs cluster init lacks it).
create or replace function pgqrs_proxy.shard_info(p_shard integer, out shard integer, out version text)
language plproxy
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
    cluster 'pgqrs_cluster';
    run on p_shard;
    select i.shard as shard, pgqrs.version() as version from pgqrs.instance i;
$$;
comment on function pgqrs_proxy.shard_info(integer) is
    'The shard number and pgqrs version one shard has (pgqrs cluster status).';

-------------------------------------------------------------------------------------------------
-- Routing: which shard a call runs on (PL/Proxy RUN ON; modular mapping, so the number itself)
-------------------------------------------------------------------------------------------------

-- _hash(value) -> 0 .. hash_shards - 1: where a value without a shard number lives. md5 of its
-- text, so that any client can compute it, and stable across PostgreSQL versions.
create or replace function pgqrs_proxy._hash(p_value text)
returns integer
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
    select (('x' || pg_catalog.substr(pg_catalog.md5(p_value), 1, 7))::bit(28)::integer
            % coalesce(c.hash_shards, greatest(c.shard_count, 1)))
      from pgqrs_proxy.cluster c
$$;
comment on function pgqrs_proxy._hash(text) is
    'Private. The shard of a value without a shard number: md5, modulo hash_shards.';

-- _embedded(id) -> the shard number an id made by a shard carries (a version 8 UUID of the
-- RFC variant: the three hex digits after the version), or NULL for any other id.
create or replace function pgqrs_proxy._embedded(p_id uuid)
returns integer
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$
    select case
               when pg_catalog.substr(t, 15, 1) = '8' and pg_catalog.substr(t, 20, 1) in ('8', '9', 'a', 'b')
               then ('x' || pg_catalog.substr(t, 16, 3))::bit(12)::integer
           end
      from (select p_id::text) v (t)
$$;
comment on function pgqrs_proxy._embedded(uuid) is
    'Private. The shard number a pgqrs-made id carries (version 8), or NULL.';

-- _shard_of(id) -> the shard where the workflow with that id lives (if it exists): the number it
-- carries, else its hash. An id that names a shard this cluster does not have (yet) names no
-- workflow: it goes where its hash says, which answers as for an unknown id. NULL goes to a
-- random shard, which raises the call's own error for it. Reads the cluster row.
create or replace function pgqrs_proxy._shard_of(p_id uuid)
returns integer
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_shard integer := pgqrs_proxy._embedded(p_id);
    v_count integer;
begin
    if p_id is null then
        return pgqrs_proxy._any_shard();
    end if;
    select c.shard_count into v_count from pgqrs_proxy.cluster c;
    if v_shard < v_count then
        return v_shard;
    end if;
    return pgqrs_proxy._hash(p_id::text);
end
$$;
comment on function pgqrs_proxy._shard_of(uuid) is
    'Private. The shard of a workflow id: the number it carries, else its hash.';

-- _new_shard(id) -> the shard where a workflow with this caller-chosen id is to be created: as
-- _shard_of, but an id that carries the number of a shard this cluster does not have raises
-- PQ008, so that no workflow is ever stored where adding that shard would later lose it.
create or replace function pgqrs_proxy._new_shard(p_id uuid)
returns integer
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_shard integer := pgqrs_proxy._embedded(p_id);
begin
    if v_shard >= (select c.shard_count from pgqrs_proxy.cluster c) then
        raise exception 'pgqrs: id % names shard %, which this cluster does not have', p_id, v_shard
            using errcode = 'PQ008',
                  hint = 'A version 8 UUID carries its shard number; choose a version 4 or 7 id.';
    end if;
    return pgqrs_proxy._shard_of(p_id);
end
$$;
comment on function pgqrs_proxy._new_shard(uuid) is
    'Private. The shard for a new workflow with a caller-chosen id (PQ008: no such shard).';

-- _key_shard(key) -> the shard of an idempotency key: with the workflow it starts with when it
-- has the form '<workflow id>/...' (the Python client's keys for children), else its hash.
create or replace function pgqrs_proxy._key_shard(p_key text)
returns integer
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_key ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/' then
        return pgqrs_proxy._shard_of(pg_catalog.left(p_key, 36)::uuid);
    end if;
    return pgqrs_proxy._hash(p_key);
end
$$;
comment on function pgqrs_proxy._key_shard(text) is
    'Private. The shard of an idempotency key: its workflow''s for ''<id>/...'', else its hash.';

-- _any_shard() -> a random shard that accepts new work (any shard when none does); 0 when the
-- cluster has no shard (the call then fails in PL/Proxy: "invalid partition count").
create or replace function pgqrs_proxy._any_shard()
returns integer
language sql
volatile
set search_path = pg_catalog, pg_temp
as $$
    select coalesce(
        (select s.shard from pgqrs_proxy.shards s
          order by not s.accepting, pg_catalog.random() limit 1),
        0)
$$;
comment on function pgqrs_proxy._any_shard() is
    'Private. A random shard that accepts new workflows.';

-- _check_alone(): raises PQ005 when the caller's transaction has written to the proxy database:
-- a call through the proxy commits on its shard by itself (PL/Proxy autocommit), so it cannot
-- commit or roll back with those writes. This is what makes a transactional step fail loudly
-- here instead of being at-least-once in silence. Reads no table.
create or replace function pgqrs_proxy._check_alone()
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    if pg_catalog.pg_current_xact_id_if_assigned() is not null then
        raise exception 'pgqrs: this transaction wrote to the proxy database, and a pgqrs call '
                        'through the proxy commits on its shard on its own: the two cannot '
                        'commit together'
            using errcode = 'PQ005',
                  hint = 'A transactional step needs its tables on its workflow''s shard and a '
                         'connection to that shard (docs/scale-out.md, "Transactions").';
    end if;
end
$$;
comment on function pgqrs_proxy._check_alone() is
    'Private. PQ005 when the caller''s transaction wrote to the proxy (nothing can be atomic).';

-- _route(id) -> the shard of a call that reads one workflow.
create or replace function pgqrs_proxy._route(p_workflow_id uuid)
returns integer
language sql
stable
set search_path = pg_catalog, pg_temp
as $$ select pgqrs_proxy._shard_of(p_workflow_id) $$;
comment on function pgqrs_proxy._route(uuid) is 'Private. The shard of a call that reads a workflow.';

-- _route_write(id) -> the shard of a call that writes one workflow (_check_alone first).
create or replace function pgqrs_proxy._route_write(p_workflow_id uuid)
returns integer
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs_proxy._check_alone();
    return pgqrs_proxy._shard_of(p_workflow_id);
end
$$;
comment on function pgqrs_proxy._route_write(uuid) is
    'Private. The shard of a call that writes a workflow (PQ005 inside a proxy write).';

-- _route_also(id, other) -> the shard of a write that involves a second workflow that must live
-- on the same shard (await_workflow's awaited one): PQ008 when it cannot.
create or replace function pgqrs_proxy._route_also(p_workflow_id uuid, p_other uuid)
returns integer
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_shard integer := pgqrs_proxy._route_write(p_workflow_id);
begin
    if p_other is not null and p_workflow_id is not null
       and pgqrs_proxy._shard_of(p_other) <> v_shard then
        raise exception 'pgqrs: workflow % lives on shard %, not on the shard of workflow %',
            p_other, pgqrs_proxy._shard_of(p_other), p_workflow_id
            using errcode = 'PQ008',
                  hint = 'Through a proxy, a workflow awaits only workflows of its own shard: its '
                         'children (docs/scale-out.md).';
    end if;
    return v_shard;
end
$$;
comment on function pgqrs_proxy._route_also(uuid, uuid) is
    'Private. The shard of a write about two workflows (PQ008 unless both live there).';

-- _route_new(id, new_id) -> the shard of a write that creates a workflow next to another one
-- (fork_workflow's copy): PQ008 when the caller-chosen new id would live elsewhere.
create or replace function pgqrs_proxy._route_new(p_workflow_id uuid, p_new uuid)
returns integer
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_shard integer := pgqrs_proxy._route_write(p_workflow_id);
begin
    if p_new is not null and p_workflow_id is not null
       and pgqrs_proxy._new_shard(p_new) <> v_shard then
        raise exception 'pgqrs: id % would live on shard %, but workflow % lives on shard %',
            p_new, pgqrs_proxy._new_shard(p_new), p_workflow_id, v_shard
            using errcode = 'PQ008',
                  hint = 'Leave the id out: the shard makes one that carries its number.';
    end if;
    return v_shard;
end
$$;
comment on function pgqrs_proxy._route_new(uuid, uuid) is
    'Private. The shard of a write that creates a workflow next to another (PQ008 elsewhere).';

-- _route_create(id, key) -> the shard for a new workflow: its id's (a caller-chosen id), else
-- its key's, else a random accepting shard. With both, they must agree (PQ008): an id names
-- one shard and a key must stay unique across the cluster.
create or replace function pgqrs_proxy._route_create(p_id uuid, p_key text)
returns integer
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_shard integer;
begin
    perform pgqrs_proxy._check_alone();
    if p_id is not null then
        v_shard := pgqrs_proxy._new_shard(p_id);
        if p_key is not null and pgqrs_proxy._key_shard(p_key) <> v_shard then
            raise exception 'pgqrs: id % lives on shard % and idempotency key % on shard %',
                p_id, v_shard, p_key, pgqrs_proxy._key_shard(p_key)
                using errcode = 'PQ008',
                      hint = 'Through a proxy, give an id or an idempotency key, not both, or a '
                             'key that starts with the id and ''/''.';
        end if;
        return v_shard;
    end if;
    if p_key is not null then
        return pgqrs_proxy._key_shard(p_key);
    end if;
    return pgqrs_proxy._any_shard();
end
$$;
comment on function pgqrs_proxy._route_create(uuid, text) is
    'Private. The shard for a new workflow: by id, else by key, else at random.';

-- _unreachable(message) -> true for PL/Proxy's errors about reaching a shard (connecting,
-- sending, reading: the shard is down or the network between), as opposed to an error the shard
-- raised, which PL/Proxy passes on with its own SQLSTATE.
create or replace function pgqrs_proxy._unreachable(p_message text)
returns boolean
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$
    select p_message ~ '(\] PQ[A-Za-z]+: |connect timeout to: |query timeout)'
$$;
comment on function pgqrs_proxy._unreachable(text) is
    'Private. True for PL/Proxy''s errors about reaching a shard (down, or the network).';

-- _down(shards, last_error): raises 08006 (connection_failure) when no shard answered: the
-- client's usual handling of a database that is away (retry, back off) then applies.
create or replace function pgqrs_proxy._down(p_shards integer, p_error text)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    raise exception 'pgqrs: none of the % shards answered: %', p_shards, p_error
        using errcode = '08006';
end
$$;
comment on function pgqrs_proxy._down(integer, text) is
    'Private. Raises 08006 when no shard of the cluster answered.';

-- _walk(seed) -> every shard, in an order that starts at the seed's hash (a random shard when
-- the seed is NULL) and goes round: the order a claim visits the shards in. The same seed gives
-- the same order, so a retried claim (same claim id) asks the shards in the same order.
create or replace function pgqrs_proxy._walk(p_seed uuid)
returns integer[]
language sql
volatile
set search_path = pg_catalog, pg_temp
as $$
    select coalesce(pg_catalog.array_agg(s.shard order by (s.shard - f.first + c.shard_count)
                                                         % c.shard_count), '{}')
      from pgqrs_proxy.cluster c
     cross join lateral (
         select case when p_seed is null then pg_catalog.floor(pg_catalog.random() * c.shard_count)::integer
                     else ('x' || pg_catalog.substr(pg_catalog.md5(p_seed::text), 1, 7))::bit(28)::integer
                          % c.shard_count
                end) f (first)
      join pgqrs_proxy.shards s on true
$$;
comment on function pgqrs_proxy._walk(uuid) is
    'Private. All shards, starting at the seed''s hash (random without one) and going round.';

-- _route_key(value) -> the shard of a call that writes something named by a value without a
-- shard number (its hash; _check_alone first).
create or replace function pgqrs_proxy._route_key(p_value text)
returns integer
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs_proxy._check_alone();
    return pgqrs_proxy._hash(p_value);
end
$$;
comment on function pgqrs_proxy._route_key(text) is
    'Private. The shard of a write about a value without a shard number (its hash).';

-------------------------------------------------------------------------------------------------
-- What the custom functions of 10_functions.sql share
-------------------------------------------------------------------------------------------------

-- _uuid_or_null(text) -> the uuid a JSON option holds, NULL when it holds none (the shard then
-- raises its PQ008 for the option).
create or replace function pgqrs_proxy._uuid_or_null(p_text text)
returns uuid
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    return p_text::uuid;
exception when invalid_text_representation then
    return null;
end
$$;
comment on function pgqrs_proxy._uuid_or_null(text) is
    'Private. The uuid in a text, or NULL when it is not one.';

-- _refused(message) -> true for PL/Proxy's errors about opening a connection to a shard: the
-- call was never sent, so it may go to another shard instead.
create or replace function pgqrs_proxy._refused(p_message text)
returns boolean
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$
    select p_message ~ '(\] PQconnect(Poll|Start): |connect timeout to: )'
$$;
comment on function pgqrs_proxy._refused(text) is
    'Private. True for PL/Proxy''s errors about connecting to a shard (nothing was sent).';

-- _placement() -> the shards a new workflow placed at random may go to, in random order: those
-- that accept new work, then the others (tried only when none of those answers).
create or replace function pgqrs_proxy._placement()
returns integer[]
language sql
volatile
set search_path = pg_catalog, pg_temp
as $$
    select coalesce(pg_catalog.array_agg(s.shard order by not s.accepting, pg_catalog.random()), '{}')
      from pgqrs_proxy.shards s
$$;
comment on function pgqrs_proxy._placement() is
    'Private. The shards for a new workflow placed at random, accepting ones first.';

-- _shard_list() -> every shard, in order.
create or replace function pgqrs_proxy._shard_list()
returns integer[]
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
    select coalesce(pg_catalog.array_agg(s.shard order by s.shard), '{}') from pgqrs_proxy.shards s
$$;
comment on function pgqrs_proxy._shard_list() is 'Private. Every shard number, in order.';

-- _triage(shard, worker, try, sqlstate, message, register) -> what a call about a worker that
-- failed on one shard should do next:
--   'retry'    the shard did not know the worker (PQ009: it was down when the worker
--              registered) and, with p_register, it has just been given the registration this
--              proxy recorded: call again;
--   'missing'  the shard does not know the worker, and cannot be told;
--   'down'     the shard cannot be reached: go on without it;
--   'raise'    any other error: the caller raises it as it is.
create or replace function pgqrs_proxy._triage(
    p_shard    integer,
    p_worker   text,
    p_try      integer,
    p_sqlstate text,
    p_message  text,
    p_register boolean
)
returns text
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_worker pgqrs_proxy.workers;
begin
    if p_sqlstate = 'XX000' and pgqrs_proxy._unreachable(p_message) then
        return 'down';
    end if;
    if p_sqlstate <> 'PQ009' then
        return 'raise';
    end if;
    select * into v_worker from pgqrs_proxy.workers k where k.name = p_worker;
    if not found or not p_register or p_try > 1 then
        return 'missing';
    end if;
    perform pgqrs_proxy.on_register_worker(p_shard, v_worker.name, v_worker.workflows,
                                           v_worker.concurrency, v_worker.hostname, v_worker.pid);
    return 'retry';
end
$$;
comment on function pgqrs_proxy._triage(integer, text, integer, text, text, boolean) is
    'Private. After a worker call failed on a shard: retry (re-registered), missing, down, raise.';

-- _no_answer(worker, missing, shards, error): what a call about a worker raises when no shard
-- answered: PQ009 as on one server when a shard said it does not know the worker, else 08006.
create or replace function pgqrs_proxy._no_answer(
    p_worker  text,
    p_missing boolean,
    p_shards  integer,
    p_error   text
)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_missing then
        raise exception 'pgqrs: worker % is not registered', p_worker
            using errcode = 'PQ009',
                  hint = 'Call pgqrs.register_worker first.';
    end if;
    perform pgqrs_proxy._down(p_shards, p_error);
end
$$;
comment on function pgqrs_proxy._no_answer(text, boolean, integer, text) is
    'Private. PQ009 (a shard does not know the worker) or 08006 (no shard answered).';

-- _raise_remote(sqlstate, message, detail, hint): raises an error caught from a shard again as
-- the shard raised it: PL/Proxy passes the SQLSTATE on but prefixes the message with
-- "<function>(<n>): [<database>] REMOTE ERROR: ", the detail with "Remote detail: " and the
-- hint with "Remote hint: ", and clients read the detail (PQ004's stored error, PQ002's owner
-- as JSON). Every API function of the proxy ends with a handler that calls this, so that its
-- errors read exactly as a single server's. Errors of the proxy itself pass as they are.
create or replace function pgqrs_proxy._raise_remote(
    p_sqlstate text,
    p_message  text,
    p_detail   text,
    p_hint     text
)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_message text := pg_catalog.regexp_replace(
        p_message, '^\S+\(\d+\): \[[^]]*\] REMOTE ERROR: ', '');
    v_detail  text := nullif(pg_catalog.regexp_replace(p_detail, '^Remote detail: ', ''), '');
    v_hint    text := nullif(pg_catalog.regexp_replace(p_hint, '^Remote hint: ', ''), '');
begin
    if v_detail is not null and v_hint is not null then
        raise exception using errcode = p_sqlstate, message = v_message, detail = v_detail,
                              hint = v_hint;
    elsif v_detail is not null then
        raise exception using errcode = p_sqlstate, message = v_message, detail = v_detail;
    elsif v_hint is not null then
        raise exception using errcode = p_sqlstate, message = v_message, hint = v_hint;
    end if;
    raise exception using errcode = p_sqlstate, message = v_message;
end
$$;
comment on function pgqrs_proxy._raise_remote(text, text, text, text) is
    'Private. Raises a shard''s error again without PL/Proxy''s prefixes.';
