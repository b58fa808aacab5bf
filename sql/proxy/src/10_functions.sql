-- The proxy's functions routed "custom" in sql/proxy/routes.txt: each has the shard's exact
-- signature and comment (tools/gen_proxy.py checks both) and the contract of the shard's
-- function (docs/sql-api.md); the comment above each says only what the proxy adds. They call
-- the generated helpers pgqrs_proxy.on_NAME(shard, ...) (one shard) and all_NAME (every shard).

-------------------------------------------------------------------------------------------------
-- The API
-------------------------------------------------------------------------------------------------

-- notify_tag through the proxy: computed here with the key every shard shares (pgqrs cluster
-- init gives them one), so it answers while shards are down.
create function pgqrs.notify_tag(p_subject text)
returns text
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_key bytea := (select c.notify_key from pgqrs_proxy.cluster c);
begin
    if p_subject is null or p_subject !~ '[^[:space:]]' then
        raise exception 'pgqrs: notification subject must be a non-empty string'
            using errcode = 'PQ008';
    end if;
    if pg_catalog.length(p_subject) > 1000 then
        raise exception 'pgqrs: notification subject is % characters long; the limit is 1000',
            pg_catalog.length(p_subject)
            using errcode = 'PQ008';
    end if;
    if v_key is null then
        raise exception 'pgqrs: this proxy has no shards yet' using errcode = 'PQ005',
            hint = 'Run pgqrs cluster init.';
    end if;
    return pg_catalog.left(pg_catalog.encode(pg_catalog.sha256(
               v_key || pg_catalog.convert_to(p_subject, 'UTF8')), 'hex'), 16);
end
$$;
comment on function pgqrs.notify_tag(text) is
    'The opaque payload pgqrs notifies for a subject (''done:<id>'', ''work:<name>'', ...).';

-- notify_key through the proxy: the key every shard shares, read here.
create function pgqrs.notify_key()
returns bytea
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
    select c.notify_key from pgqrs_proxy.cluster c
$$;
comment on function pgqrs.notify_key() is
    'The install''s secret notification key (for clients that compute notification tags).';

-- submit_workflow through the proxy: a child (parent_id) goes to its parent's shard, and its id
-- or key must belong there too (PQ008; the Python client's child keys start with the parent's
-- id, so they do); else a workflow with an id or an idempotency key goes to their shard (they
-- must agree: PQ008), one with only a debounce key to the shard of (name, debounce key), so that
-- a burst finds the one that waits; anything else to a random shard that accepts new work,
-- another one when that one refuses the connection (nothing was sent to it).
create function pgqrs.submit_workflow(
    p_name    text,
    p_input   jsonb,
    p_options jsonb default '{}'
)
returns table (workflow_id uuid, created boolean, status text)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_options jsonb := coalesce(p_options, '{}'::jsonb);
    v_shard   integer;
    v_parent  uuid;
    v_id      uuid;
    v_key     text;
    v_error   text;
    v_order   integer[];
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    perform pgqrs_proxy._check_alone();
    if pg_catalog.jsonb_typeof(v_options) = 'object' then
        v_parent := pgqrs_proxy._uuid_or_null(v_options ->> 'parent_id');
        v_id := pgqrs_proxy._uuid_or_null(v_options ->> 'id');
        v_key := v_options ->> 'idempotency_key';
        if v_parent is not null then
            v_shard := pgqrs_proxy._shard_of(v_parent);
            if (v_id is not null and pgqrs_proxy._new_shard(v_id) <> v_shard)
               or (v_key is not null and pgqrs_proxy._key_shard(v_key) <> v_shard) then
                raise exception 'pgqrs: a child lives on its parent''s shard (%), and its id or '
                                'idempotency key belongs to another', v_shard
                    using errcode = 'PQ008',
                          hint = 'Leave the id out, and start the key with the parent''s id and '
                                 '''/'' (docs/scale-out.md).';
            end if;
        elsif v_id is not null or v_key is not null then
            v_shard := pgqrs_proxy._route_create(v_id, v_key);
        elsif (v_options ->> 'debounce_key') is not null then
            v_shard := pgqrs_proxy._hash(p_name || pg_catalog.chr(10) || (v_options ->> 'debounce_key'));
        end if;
    end if;
    if v_shard is not null then
        return query select * from pgqrs_proxy.on_submit_workflow(v_shard, p_name, p_input, p_options);
        return;
    end if;
    v_order := pgqrs_proxy._placement();
    foreach v_shard in array v_order loop
        begin
            return query
                select * from pgqrs_proxy.on_submit_workflow(v_shard, p_name, p_input, p_options);
            return;
        exception when internal_error then
            if not pgqrs_proxy._refused(sqlerrm) then
                raise;
            end if;
            v_error := sqlerrm;
        end;
    end loop;
    perform pgqrs_proxy._down(pg_catalog.cardinality(v_order), v_error);
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.submit_workflow(text, jsonb, jsonb) is
    'Creates or enqueues a workflow with options (deadline, retries, schedule); idempotent.';

-- start_workflows through the proxy: without keys, every item goes to one random shard, in one
-- statement there (all or nothing, as on one server). With keys, each keyed item goes to its
-- key's shard and the others to one random shard; each shard's part is all or nothing, but one
-- part can be enqueued while another raises (PQ006, PQ007): a retry with the same keys returns
-- what was enqueued. Items come back in item order.
create function pgqrs.start_workflows(
    p_name             text,
    p_inputs           jsonb,
    p_idempotency_keys text[] default null,
    p_options          jsonb default '{}'
)
returns table (item integer, workflow_id uuid, created boolean, status text)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_default integer := pgqrs_proxy._any_shard();
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    perform pgqrs_proxy._check_alone();
    if p_idempotency_keys is null or pg_catalog.jsonb_typeof(p_inputs) is distinct from 'array'
       or pg_catalog.array_ndims(p_idempotency_keys) <> 1
       or pg_catalog.cardinality(p_idempotency_keys) <> pg_catalog.jsonb_array_length(p_inputs) then
        -- No keys, or arguments the shard refuses (PQ008): one shard, one statement.
        return query select * from pgqrs_proxy.on_start_workflows(
            v_default, p_name, p_inputs, p_idempotency_keys, p_options);
        return;
    end if;
    return query
        with items as (
            select i.n::integer as n, i.value as input, p_idempotency_keys[i.n] as key,
                   case when p_idempotency_keys[i.n] is null then v_default
                        else pgqrs_proxy._key_shard(p_idempotency_keys[i.n]) end as shard
              from pg_catalog.jsonb_array_elements(p_inputs) with ordinality i (value, n)
        ), parts as (
            select t.shard, pg_catalog.jsonb_agg(t.input order by t.n) as inputs,
                   pg_catalog.array_agg(t.key order by t.n) as keys,
                   pg_catalog.array_agg(t.n order by t.n) as items
              from items t
             group by t.shard
        )
        select p.items[r.item], r.workflow_id, r.created, r.status
          from parts p
         cross join lateral pgqrs_proxy.on_start_workflows(p.shard, p_name, p.inputs, p.keys,
                                                          p_options) r
         order by 1;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.start_workflows(text, jsonb, text[], jsonb) is
    'Enqueues many workflows of one name in one call; idempotent per item with a key.';

-- register_worker through the proxy: registers the worker on every shard that answers (a worker
-- claims from all of them) and records the registration here, so that a shard that was down
-- gets it when the worker first reaches it (_triage). Returns the leases released on all shards.
-- 08006 when no shard answers.
create function pgqrs.register_worker(
    p_worker      text,
    p_workflows   text[],
    p_concurrency integer default 1,
    p_hostname    text default null,
    p_pid         integer default null
)
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_shard    integer;
    v_shards   integer[] := pgqrs_proxy._shard_list();
    v_released integer := 0;
    v_answered integer := 0;
    v_error    text;
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    perform pgqrs_proxy._check_alone();
    foreach v_shard in array v_shards loop
        begin
            v_released := v_released + pgqrs_proxy.on_register_worker(
                v_shard, p_worker, p_workflows, p_concurrency, p_hostname, p_pid);
            v_answered := v_answered + 1;
        exception when internal_error then
            if not pgqrs_proxy._unreachable(sqlerrm) then
                raise;
            end if;
            v_error := sqlerrm;
        end;
    end loop;
    if v_answered = 0 then
        perform pgqrs_proxy._down(pg_catalog.cardinality(v_shards), v_error);
    end if;
    insert into pgqrs_proxy.workers as k (name, workflows, concurrency, hostname, pid, registered_at)
    values (p_worker, p_workflows, p_concurrency, p_hostname, p_pid, pg_catalog.clock_timestamp())
    on conflict (name) do update
       set workflows = excluded.workflows, concurrency = excluded.concurrency,
           hostname = excluded.hostname, pid = excluded.pid, registered_at = excluded.registered_at;
    return v_released;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.register_worker(text, text[], integer, text, integer) is
    'Registers (or restarts) a worker; releases the leases its previous incarnation held.';

-- worker_heartbeat through the proxy: on every shard that answers (a shard that missed the
-- registration gets it). PQ009 when no shard knows the worker, 08006 when none answers.
create function pgqrs.worker_heartbeat(p_worker text)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_shard    integer;
    v_shards   integer[] := pgqrs_proxy._shard_list();
    v_answered integer := 0;
    v_missing  boolean := false;
    v_what     text;
    v_error    text;
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    foreach v_shard in array v_shards loop
        for v_try in 1..2 loop
            begin
                perform pgqrs_proxy.on_worker_heartbeat(v_shard, p_worker);
                v_answered := v_answered + 1;
                exit;
            exception when others then
                v_what := pgqrs_proxy._triage(v_shard, p_worker, v_try, sqlstate, sqlerrm, true);
                if v_what = 'raise' then
                    raise;
                end if;
                v_missing := v_missing or v_what = 'missing';
                v_error := sqlerrm;
                exit when v_what <> 'retry';
            end;
        end loop;
    end loop;
    if v_answered = 0 then
        perform pgqrs_proxy._no_answer(p_worker, v_missing, pg_catalog.cardinality(v_shards), v_error);
    end if;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.worker_heartbeat(text) is 'Marks a registered worker alive now.';

-- claim through the proxy: asks the shards one after the other for what is still missing of
-- p_limit, starting at the shard the claim id hashes to (a random one without a claim id) and
-- going round, and stops once it has p_limit: a claim never hands out more than p_limit. Every
-- shard keeps the claim id on what it granted, and a retried claim (same id) asks the shards
-- in the same order, so each hands back what it granted and nothing more is taken. A shard
-- that cannot be reached is skipped (its workflows wait for it; the others go on); one that
-- missed the worker's registration gets it. As many claims start at each shard, none starves.
-- PQ009 when no shard knows the worker, 08006 when none answers.
create function pgqrs.claim(
    p_worker        text,
    p_claim_id      uuid,
    p_limit         integer default 1,
    p_lease_seconds double precision default 30
)
returns table (
    workflow_id uuid,
    name        text,
    token       bigint,
    input       jsonb,
    steps       jsonb,
    recovered   boolean
)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_shard    integer;
    v_shards   integer[] := pgqrs_proxy._walk(p_claim_id);
    v_got      integer := 0;
    v_rows     integer;
    v_answered integer := 0;
    v_missing  boolean := false;
    v_what     text;
    v_error    text;
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    perform pgqrs_proxy._check_alone();
    foreach v_shard in array v_shards loop
        exit when v_got >= p_limit;
        for v_try in 1..2 loop
            begin
                return query select * from pgqrs_proxy.on_claim(
                    v_shard, p_worker, p_claim_id, p_limit - v_got, p_lease_seconds);
                get diagnostics v_rows = row_count;
                v_got := v_got + v_rows;
                v_answered := v_answered + 1;
                exit;
            exception when others then
                v_what := pgqrs_proxy._triage(v_shard, p_worker, v_try, sqlstate, sqlerrm, true);
                if v_what = 'raise' then
                    raise;
                end if;
                v_missing := v_missing or v_what = 'missing';
                v_error := sqlerrm;
                exit when v_what <> 'retry';
            end;
        end loop;
    end loop;
    if v_answered = 0 then
        perform pgqrs_proxy._no_answer(p_worker, v_missing, pg_catalog.cardinality(v_shards), v_error);
    end if;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.claim(text, uuid, integer, double precision) is
    'Hands a worker up to p_limit runnable workflows under new leases (SKIP LOCKED); reaps '
    'expired leases and moves crash-looping workflows to DEAD. Idempotent per claim id.';

-- claim_workflows through the proxy: pgqrs.claim without a claim id, as on a shard.
create function pgqrs.claim_workflows(
    p_worker        text,
    p_limit         integer default 1,
    p_lease_seconds double precision default 30
)
returns table (
    workflow_id uuid,
    name        text,
    token       bigint,
    input       jsonb,
    steps       jsonb,
    recovered   boolean
)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return query select * from pgqrs.claim(p_worker, null::uuid, p_limit, p_lease_seconds);
end
$$;
comment on function pgqrs.claim_workflows(text, integer, double precision) is
    'Hands a worker up to p_limit runnable workflows under new leases (SKIP LOCKED); reaps '
    'expired leases and moves crash-looping workflows to DEAD.';

-- next_claim_at through the proxy: the earliest answer of the shards that answer (one that
-- missed the worker's registration gets it). PQ009 when no shard knows the worker, 08006 when
-- none answers.
create function pgqrs.next_claim_at(p_worker text)
returns timestamptz
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_shard    integer;
    v_shards   integer[] := pgqrs_proxy._shard_list();
    v_next     timestamptz;
    v_answered integer := 0;
    v_missing  boolean := false;
    v_what     text;
    v_error    text;
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    foreach v_shard in array v_shards loop
        for v_try in 1..2 loop
            begin
                v_next := least(v_next, pgqrs_proxy.on_next_claim_at(v_shard, p_worker));
                v_answered := v_answered + 1;
                exit;
            exception when others then
                v_what := pgqrs_proxy._triage(v_shard, p_worker, v_try, sqlstate, sqlerrm, true);
                if v_what = 'raise' then
                    raise;
                end if;
                v_missing := v_missing or v_what = 'missing';
                v_error := sqlerrm;
                exit when v_what <> 'retry';
            end;
        end loop;
    end loop;
    if v_answered = 0 then
        perform pgqrs_proxy._no_answer(p_worker, v_missing, pg_catalog.cardinality(v_shards), v_error);
    end if;
    return v_next;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.next_claim_at(text) is
    'When the next workflow this worker serves becomes claimable (NULL: none).';

-- stop_worker through the proxy: on every shard that answers; returns the leases released on
-- all of them. PQ009 when no shard knows the worker, 08006 when none answers (the worker's
-- leases on a shard that is down expire there instead).
create function pgqrs.stop_worker(p_worker text)
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_shard    integer;
    v_shards   integer[] := pgqrs_proxy._shard_list();
    v_released integer := 0;
    v_answered integer := 0;
    v_missing  boolean := false;
    v_what     text;
    v_error    text;
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    perform pgqrs_proxy._check_alone();
    foreach v_shard in array v_shards loop
        begin
            v_released := v_released + pgqrs_proxy.on_stop_worker(v_shard, p_worker);
            v_answered := v_answered + 1;
        exception when others then
            v_what := pgqrs_proxy._triage(v_shard, p_worker, 1, sqlstate, sqlerrm, false);
            if v_what = 'raise' then
                raise;
            end if;
            v_missing := v_missing or v_what = 'missing';
            v_error := sqlerrm;
        end;
    end loop;
    if v_answered = 0 then
        perform pgqrs_proxy._no_answer(p_worker, v_missing, pg_catalog.cardinality(v_shards), v_error);
    end if;
    return v_released;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.stop_worker(text) is
    'Marks a worker stopped and releases its leases so others resume at once.';

-- list_workers through the proxy: every shard must answer; one row per worker name: its latest
-- registration, its latest heartbeat, stopped only when stopped on every shard, alive when
-- alive on one, and the workflows it runs on all of them.
create function pgqrs.list_workers(p_stale_seconds double precision default 30)
returns table (
    name         text,
    hostname     text,
    pid          integer,
    workflows    text[],
    concurrency  integer,
    started_at   timestamptz,
    heartbeat_at timestamptz,
    stopped_at   timestamptz,
    alive        boolean,
    running      uuid[]
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    return query
    with r as materialized (select * from pgqrs_proxy.all_list_workers(p_stale_seconds))
    select l.name, l.hostname, l.pid, l.workflows, l.concurrency, l.started_at,
           m.heartbeat_at, m.stopped_at, m.alive,
           coalesce((select pg_catalog.array_agg(u order by u)
                       from r y cross join lateral pg_catalog.unnest(y.running) u
                      where y.name = l.name), '{}')
      from (select distinct on (x.name) x.* from r x order by x.name, x.started_at desc) l
     cross join lateral (
         select pg_catalog.max(x.heartbeat_at) as heartbeat_at,
                case when pg_catalog.bool_and(x.stopped_at is not null)
                     then pg_catalog.max(x.stopped_at) end as stopped_at,
                pg_catalog.bool_or(x.alive) as alive
           from r x
          where x.name = l.name) m
     order by l.name;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.list_workers(double precision) is
    'Registered workers: alive or not, and the workflows each is running.';

-- workflow_counts through the proxy: every shard must answer; the counts added up per name and
-- status, the oldest of the oldest, served when a live worker serves the name on a shard.
create function pgqrs.workflow_counts(p_stale_seconds double precision default 30)
returns table (name text, status text, count bigint, oldest timestamptz, served boolean)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    return query
    select r.name, r.status, pg_catalog.sum(r.count)::bigint, pg_catalog.min(r.oldest),
           pg_catalog.bool_or(r.served)
      from pgqrs_proxy.all_workflow_counts(p_stale_seconds) r
     group by r.name, r.status
     order by r.name, r.status;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.workflow_counts(double precision) is
    'Workflows by name and status, and whether a live worker serves each name.';

-- prune through the proxy: one batch on every shard that answers (p_limit roots each; a shard
-- that is down is pruned when it is back); the counts added up, more when a shard has more,
-- busy when every shard that answered was busy. 08006 when no shard answers.
create function pgqrs.prune(
    p_older_than   interval,
    p_limit        integer default 1000,
    p_include_dead boolean default false
)
returns table (
    workflows     bigint,
    steps         bigint,
    step_attempts bigint,
    messages      bigint,
    events        bigint,
    more          boolean,
    busy          boolean
)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
-- Short index walks: a JIT compile (which large estimates on a big table could trigger) would
-- cost more than any of them.
set jit = off
as $$
declare
    v_shard  integer;
    v_shards integer[] := pgqrs_proxy._shard_list();
    v_row    record;
    v_error  text;
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    perform pgqrs_proxy._check_alone();
    workflows := 0;
    steps := 0;
    step_attempts := 0;
    messages := 0;
    events := 0;
    foreach v_shard in array v_shards loop
        begin
            select * into v_row
              from pgqrs_proxy.on_prune(v_shard, p_older_than, p_limit, p_include_dead);
        exception when internal_error then
            if not pgqrs_proxy._unreachable(sqlerrm) then
                raise;
            end if;
            v_error := sqlerrm;
            continue;
        end;
        workflows := workflows + v_row.workflows;
        steps := steps + v_row.steps;
        step_attempts := step_attempts + v_row.step_attempts;
        messages := messages + v_row.messages;
        events := events + v_row.events;
        more := coalesce(more, false) or v_row.more;
        busy := coalesce(busy, true) and v_row.busy;
    end loop;
    if more is null then
        perform pgqrs_proxy._down(pg_catalog.cardinality(v_shards), v_error);
    end if;
    return next;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.prune(interval, integer, boolean) is
    'Retention: deletes finished workflow trees older than a window (and consumed messages), '
    'in bounded batches; one pruner at a time.';

-- list_queues through the proxy: every shard must answer; one row per queue with its settings
-- (set on every shard by set_queue) and what all shards hold together. A queue's limits apply
-- on each shard (docs/scale-out.md).
create function pgqrs.list_queues()
returns table (
    name                text,
    concurrency         integer,
    worker_concurrency  integer,
    rate_limit          integer,
    rate_period_seconds double precision,
    key_concurrency     integer,
    paused              boolean,
    queued              bigint,
    running             bigint,
    permits_free        integer,
    keys                bigint
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    return query
    with r as materialized (select * from pgqrs_proxy.all_list_queues())
    select s.name, s.concurrency, s.worker_concurrency, s.rate_limit, s.rate_period_seconds,
           s.key_concurrency, s.paused, t.queued, t.running, t.permits_free, t.keys
      from (select distinct on (x.name) x.* from r x order by x.name, x.paused desc) s
     cross join lateral (
         select pg_catalog.sum(x.queued)::bigint as queued,
                pg_catalog.sum(x.running)::bigint as running,
                pg_catalog.sum(x.permits_free)::integer as permits_free,
                pg_catalog.sum(x.keys)::bigint as keys
           from r x
          where x.name = s.name) t
     order by s.name;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.list_queues() is
    'Queues with their settings, queued and running workflows, free permits and keys.';

-- workflow_throughput through the proxy: every shard must answer; the counts added up per
-- minute. The shards' clocks may straddle a minute boundary: the last p_minutes minutes are kept.
create function pgqrs.workflow_throughput(p_minutes integer default 60)
returns table (
    minute    timestamptz,
    created   bigint,
    succeeded bigint,
    failed    bigint,
    cancelled bigint
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    return query
    with r as materialized (select * from pgqrs_proxy.all_workflow_throughput(p_minutes)),
         m as (select r.minute, pg_catalog.sum(r.created)::bigint as created,
                      pg_catalog.sum(r.succeeded)::bigint as succeeded,
                      pg_catalog.sum(r.failed)::bigint as failed,
                      pg_catalog.sum(r.cancelled)::bigint as cancelled
                 from r group by r.minute)
    select m.minute, m.created, m.succeeded, m.failed, m.cancelled
      from m
     where m.minute > (select pg_catalog.max(x.minute) from m x)
                      - p_minutes * interval '1 minute'
     order by m.minute;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.workflow_throughput(integer) is
    'Workflows created and finished (by outcome) per minute over the last minutes.';

-- queue_depth through the proxy: every shard must answer; the counts added up per name, the
-- oldest ready of all, served when a live worker serves the name on a shard.
create function pgqrs.queue_depth(p_stale_seconds double precision default 30)
returns table (
    name         text,
    ready        bigint,
    scheduled    bigint,
    waiting      bigint,
    running      bigint,
    oldest_ready timestamptz,
    served       boolean
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_state   text;
    v_message text;
    v_detail  text;
    v_hint    text;
begin
    return query
    select r.name, pg_catalog.sum(r.ready)::bigint, pg_catalog.sum(r.scheduled)::bigint,
           pg_catalog.sum(r.waiting)::bigint, pg_catalog.sum(r.running)::bigint,
           pg_catalog.min(r.oldest_ready), pg_catalog.bool_or(r.served)
      from pgqrs_proxy.all_queue_depth(p_stale_seconds) r
     group by r.name
     order by r.name;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);
end
$$;
comment on function pgqrs.queue_depth(double precision) is
    'Queued workflows per name: ready, scheduled, waiting to be woken, running; and whether '
    'a live worker serves the name.';
