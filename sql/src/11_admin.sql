-- Reading state: one workflow, its steps and attempts, workers, counts and listings.

-- get_workflow(workflow_id) -> one row: everything about a workflow but its steps.
-- Read-only, takes no lock. Errors: PQ001, PQ008 (NULL id).
create function pgqrs.get_workflow(p_workflow_id uuid)
returns table (
    id               uuid,
    name             text,
    status           text,
    idempotency_key  text,
    input            jsonb,
    output           jsonb,
    error            jsonb,
    lease_owner      text,
    lease_token      bigint,
    lease_expires_at timestamptz,
    created_at       timestamptz,
    updated_at       timestamptz,
    started_at       timestamptz,
    finished_at      timestamptz,
    queued           boolean,
    available_at     timestamptz,
    recoveries       integer,
    max_recoveries   integer
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    -- The 0.1.0 columns of describe_workflow, which raises PQ001 for an unknown id.
    return query
        select d.id, d.name, d.status, d.idempotency_key, d.input, d.output, d.error,
               d.lease_owner, d.lease_token, d.lease_expires_at,
               d.created_at, d.updated_at, d.started_at, d.finished_at,
               d.queued, d.available_at, d.recoveries, d.max_recoveries
          from pgqrs.describe_workflow(p_workflow_id) d;
end
$$;
comment on function pgqrs.get_workflow(uuid) is 'One workflow''s status, values and lease.';

-- describe_workflow(workflow_id) -> one row
-- Everything get_workflow returns, and the fields added since 0.1.0: the deadline, the workflow
-- attempt and retry policy, the workflow it was forked from, its parent, and what it waits for
-- while suspended. Read-only; no locks.
-- Errors: PQ001, PQ008 (NULL id).
create function pgqrs.describe_workflow(p_workflow_id uuid)
returns table (
    id                uuid,
    name              text,
    status            text,
    idempotency_key   text,
    input             jsonb,
    output            jsonb,
    error             jsonb,
    lease_owner       text,
    lease_token       bigint,
    lease_expires_at  timestamptz,
    created_at        timestamptz,
    updated_at        timestamptz,
    started_at        timestamptz,
    finished_at       timestamptz,
    queued            boolean,
    available_at      timestamptz,
    recoveries        integer,
    max_recoveries    integer,
    deadline_at       timestamptz,
    attempt           integer,
    max_attempts      integer,
    retry_backoff     double precision,
    retry_max_backoff double precision,
    forked_from       uuid,
    parent_id         uuid,
    waiting_for       text
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_id('workflow id', p_workflow_id);
    return query
        select w.id, w.name, w.status, w.idempotency_key, w.input, w.output, w.error,
               w.lease_owner, w.lease_token, w.lease_expires_at,
               w.created_at, w.updated_at, w.started_at, w.finished_at,
               w.queued, w.available_at, w.recoveries, w.max_recoveries,
               w.deadline_at, w.attempt, w.max_attempts, w.retry_backoff, w.retry_max_backoff,
               w.forked_from, w.parent_id, w.waiting_for
          from pgqrs.workflows w
         where w.id = p_workflow_id;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
end
$$;
comment on function pgqrs.describe_workflow(uuid) is
    'One workflow''s status, values, lease, deadline and retry policy.';

-- list_steps(workflow_id) -> one row per step, in the order they were first started.
-- Read-only, takes no lock. Errors: PQ001, PQ008 (NULL id).
create function pgqrs.list_steps(p_workflow_id uuid)
returns table (
    step_key    text,
    status      text,
    output      jsonb,
    error       jsonb,
    attempt     integer,
    lease_token bigint,
    started_at  timestamptz,
    finished_at timestamptz
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_id('workflow id', p_workflow_id);
    perform 1 from pgqrs.workflows w where w.id = p_workflow_id;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    return query
        select s.step_key, s.status, s.output, s.error, s.attempt, s.lease_token,
               s.started_at, s.finished_at
          from pgqrs.steps s
         where s.workflow_id = p_workflow_id
         order by s.started_at, s.step_key;
end
$$;
comment on function pgqrs.list_steps(uuid) is 'The steps of one workflow with status and values.';

-- list_step_attempts(workflow_id) -> one row per attempt of every step, in run order
-- The failed attempts from step_attempts (error, runner, times), then each step's current
-- attempt when it is not one of those: RUNNING, SUCCESS, or RETRYING/FAILED rows recorded by
-- 0.1.0 calls. status is FAILED for a recorded failed attempt. Read-only; no locks.
-- Errors: PQ001, PQ008 (NULL id).
create function pgqrs.list_step_attempts(p_workflow_id uuid)
returns table (
    step_key      text,
    step_position integer,
    attempt       integer,
    status        text,
    error         jsonb,
    owner         text,
    started_at    timestamptz,
    finished_at   timestamptz
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_id('workflow id', p_workflow_id);
    perform 1 from pgqrs.workflows w where w.id = p_workflow_id;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    return query
        select a.step_key, a.position, a.attempt, a.status, a.error, a.owner, a.started_at,
               a.finished_at
          from (select t.step_key, s.position, t.attempt, 'FAILED'::text as status, t.error,
                       t.owner, t.started_at, t.finished_at, s.started_at as first_started
                  from pgqrs.step_attempts t
                  join pgqrs.steps s on s.workflow_id = t.workflow_id and s.step_key = t.step_key
                 where t.workflow_id = p_workflow_id
                union all
                select s.step_key, s.position, s.attempt, s.status,
                       case when s.status = 'SUCCESS' then null else s.error end,
                       s.owner, coalesce(s.attempt_started_at, s.started_at),
                       case when s.status in ('SUCCESS', 'FAILED') then s.finished_at end,
                       s.started_at
                  from pgqrs.steps s
                 where s.workflow_id = p_workflow_id
                   and s.status <> 'RETRYING'
                   and not exists (select 1 from pgqrs.step_attempts t
                                    where t.workflow_id = s.workflow_id
                                      and t.step_key = s.step_key
                                      and t.attempt = s.attempt)) a
         order by a.position nulls last, a.first_started, a.step_key, a.attempt;
end
$$;
comment on function pgqrs.list_step_attempts(uuid) is
    'Every attempt of every step of a workflow: status, error, runner and times.';

-- list_workers(stale_seconds) -> one row per registered worker
-- alive: not stopped and heard from within p_stale_seconds (default 30). running: the workflows
-- it holds a live lease on. Read-only; no locks. Errors: PQ008 (window NULL or not in
-- (0, 315360000] seconds).
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
begin
    perform pgqrs._check_stale_seconds(p_stale_seconds);
    return query
    select k.name, k.hostname, k.pid, k.workflows, k.concurrency, k.started_at, k.heartbeat_at,
           k.stopped_at,
           k.stopped_at is null
               and k.heartbeat_at > pgqrs.now() - p_stale_seconds * interval '1 second',
           coalesce(
               (select pg_catalog.array_agg(w.id order by w.id)
                  from pgqrs.workflows w
                 where w.lease_owner = k.name
                   and w.status = 'RUNNING'
                   and w.lease_expires_at > pgqrs.now()),
               '{}')
      from pgqrs.workers k
     order by k.name;
end
$$;
comment on function pgqrs.list_workers(double precision) is
    'Registered workers: alive or not, and the workflows each is running.';

-- workflow_counts(stale_seconds) -> one row per (name, status)
-- How many workflows of each name are in each status, the oldest creation time, and whether a
-- live worker serves the name (served = false for a queued name no worker knows: it waits).
-- Read-only; no locks. Errors: PQ008 (window NULL or not in (0, 315360000] seconds).
create function pgqrs.workflow_counts(p_stale_seconds double precision default 30)
returns table (name text, status text, count bigint, oldest timestamptz, served boolean)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_stale_seconds(p_stale_seconds);
    return query
    select w.name, w.status, pg_catalog.count(*), min(w.created_at),
           exists (select 1
                     from pgqrs.workers k
                    where w.name = any (k.workflows)
                      and k.stopped_at is null
                      and k.heartbeat_at > pgqrs.now() - p_stale_seconds * interval '1 second')
      from pgqrs.workflows w
     group by w.name, w.status
     order by w.name, w.status;
end
$$;
comment on function pgqrs.workflow_counts(double precision) is
    'Workflows by name and status, and whether a live worker serves each name.';

-- _check_list_filters(status, name, limit): raises PQ008 unless a listing's filters are in
-- bounds: a status that is NULL or one of the workflow statuses, a name that is NULL or a
-- non-blank string of at most 255 characters, a limit in 1..10000.
create function pgqrs._check_list_filters(p_status text, p_name text, p_limit integer)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_status not in ('PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'DEAD', 'CANCELLED') then
        raise exception 'pgqrs: unknown workflow status %', p_status
            using errcode = 'PQ008',
                  hint = 'PENDING, RUNNING, SUCCESS, FAILED, DEAD or CANCELLED.';
    end if;
    if p_name is not null then
        perform pgqrs._check_text('workflow name', p_name, 255);
    end if;
    if p_limit is null or p_limit < 1 or p_limit > 10000 then
        raise exception 'pgqrs: limit must be between 1 and 10000, got %', p_limit
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_list_filters(text, text, integer) is
    'Private. Raises PQ008 unless a listing''s status, name and limit are in bounds.';

-- list_workflows(status, name, limit) -> the newest workflows first, optionally filtered.
-- The first page of list_workflows_page. Read-only; no locks. Errors: PQ008 (an unknown status,
-- a blank or oversized name, a limit not in 1..10000).
create function pgqrs.list_workflows(
    p_status text default null,
    p_name   text default null,
    p_limit  integer default 50
)
returns table (
    id           uuid,
    name         text,
    status       text,
    lease_owner  text,
    recoveries   integer,
    created_at   timestamptz,
    updated_at   timestamptz,
    finished_at  timestamptz
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return query
        select p.id, p.name, p.status, p.lease_owner, p.recoveries, p.created_at, p.updated_at,
               p.finished_at
          from pgqrs.list_workflows_page(p_status, p_name, p_limit) p;
end
$$;
comment on function pgqrs.list_workflows(text, text, integer) is
    'The newest workflows, optionally filtered by status and name.';

-- list_workflows_page(status, name, limit, before_created_at, before_id, created_after,
--                     idempotency_key) -> one page of workflows, newest first
-- Keyset pagination: the next page starts before the (created_at, id) of the last row of the
-- previous one (p_before_created_at, p_before_id; both or neither), so a page costs the same at
-- any depth and at any table size (indexes workflows_created, workflows_name_created,
-- workflows_status_created). Optional filters: status, name, created after a time, and an
-- idempotency key (at most one workflow). Each row also says where it waits (queue, priority,
-- concurrency key) and, in held_by, what holds a queued workflow back (_held_by: what it waits
-- for, a time, a paused or full queue, a rate limit, its key at its limit, or no live worker).
-- Read-only; no locks. Errors: PQ008 (filters as in list_workflows; a cursor with only one
-- half; times outside [1970, 9999); a blank or oversized key).
create function pgqrs.list_workflows_page(
    p_status            text default null,
    p_name              text default null,
    p_limit             integer default 50,
    p_before_created_at timestamptz default null,
    p_before_id         uuid default null,
    p_created_after     timestamptz default null,
    p_idempotency_key   text default null
)
returns table (
    id               uuid,
    name             text,
    status           text,
    lease_owner      text,
    recoveries       integer,
    created_at       timestamptz,
    updated_at       timestamptz,
    finished_at      timestamptz,
    idempotency_key  text,
    queued           boolean,
    available_at     timestamptz,
    lease_expires_at timestamptz,
    waiting_for      text,
    deadline_at      timestamptz,
    parent_id        uuid,
    attempt          integer,
    queue            text,
    priority         integer,
    concurrency_key  text,
    held_by          text
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
-- Plan each call for its filters: a generic plan of "(p_name is null or name = p_name)" could
-- use no index.
set plan_cache_mode = force_custom_plan
as $$
declare
    v_now timestamptz := pgqrs.now();
begin
    perform pgqrs._check_list_filters(p_status, p_name, p_limit);
    if (p_before_created_at is null) <> (p_before_id is null) then
        raise exception 'pgqrs: a page cursor needs both before_created_at and before_id'
            using errcode = 'PQ008';
    end if;
    perform pgqrs._check_time('before_created_at', p_before_created_at);
    perform pgqrs._check_time('created_after', p_created_after);
    if p_idempotency_key is not null then
        perform pgqrs._check_text('idempotency key', p_idempotency_key, 255);
    end if;
    return query
        select w.id, w.name, w.status, w.lease_owner, w.recoveries, w.created_at, w.updated_at,
               w.finished_at, w.idempotency_key, w.queued, w.available_at, w.lease_expires_at,
               w.waiting_for, w.deadline_at, w.parent_id, w.attempt, w.queue, w.priority,
               w.concurrency_key, pgqrs._held_by(w, v_now)
          from pgqrs.workflows w
         where (p_status is null or w.status = p_status)
           and (p_name is null or w.name = p_name)
           and (p_idempotency_key is null or w.idempotency_key = p_idempotency_key)
           and (p_before_created_at is null
                or (w.created_at, w.id) < (p_before_created_at, p_before_id))
           and (p_created_after is null or w.created_at > p_created_after)
           -- always true; states the predicate of workflows_status_created, which only this
           -- listing may use (see its definition)
           and w.created_at > '-infinity'
         order by w.created_at desc, w.id desc
         limit p_limit;
end
$$;
comment on function pgqrs.list_workflows_page(text, text, integer, timestamptz, uuid,
                                              timestamptz, text) is
    'One page of workflows, newest first, with keyset pagination and filters.';
