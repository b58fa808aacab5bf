-- Observability: the reads a dashboard needs beyond one workflow's row and steps (the children
-- of a workflow as a tree, its messages and events, throughput per minute, what looks stuck,
-- queue depth per name), and the trace context a worker continues (docs/dashboard.md,
-- docs/observability.md).
--
-- Every function here only reads: STABLE, SECURITY DEFINER, so that the monitoring role of
-- docs/security.md (EXECUTE on the functions that only read, no table privileges) can call
-- them. Each one's cost is bounded by what it shows, not by the size of pgqrs.workflows: a
-- limit, an index on the rows it looks at (workflows_parent, the primary keys of messages and
-- events, workflows_created and workflows_finished_at, the partial indexes of leases, waits and
-- the queue), or both. Locks: none.

-- workflow_tree(workflow_id, limit) -> the workflow and its descendants (children started with
-- submit_workflow's parent_id, their children, ...), one row each, at most p_limit rows, in
-- depth-first order (siblings by id, which is creation order for the time-ordered ids pgqrs
-- makes); depth 0 is the workflow itself. A tree larger than p_limit is cut breadth first: the
-- nodes nearest the root are kept. Reads the index workflows_parent, p_limit rows at most.
-- Errors: PQ001 (no such workflow), PQ008 (NULL id, p_limit not in 1..10000).
create function pgqrs.workflow_tree(p_workflow_id uuid, p_limit integer default 200)
returns table (
    id          uuid,
    parent_id   uuid,
    depth       integer,
    name        text,
    status      text,
    created_at  timestamptz,
    finished_at timestamptz
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_id('workflow id', p_workflow_id);
    perform pgqrs._check_limit(p_limit, 10000);
    perform 1 from pgqrs.workflows w where w.id = p_workflow_id;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    -- The recursive part yields level after level; the LIMIT stops it once p_limit rows are
    -- out, so a huge tree costs p_limit rows. The path (ids from the root) orders them.
    return query
        with recursive tree as (
            select w.id, w.parent_id, 0 as depth, w.name, w.status, w.created_at,
                   w.finished_at, array[w.id] as path
              from pgqrs.workflows w
             where w.id = p_workflow_id
            union all
            select c.id, c.parent_id, t.depth + 1, c.name, c.status, c.created_at,
                   c.finished_at, t.path || c.id
              from tree t
              join pgqrs.workflows c on c.parent_id = t.id
             where t.depth < 1000
        ),
        kept as (select * from tree limit p_limit)
        select k.id, k.parent_id, k.depth, k.name, k.status, k.created_at, k.finished_at
          from kept k
         order by k.path;
end
$$;
comment on function pgqrs.workflow_tree(uuid, integer) is
    'A workflow and its descendants, depth first, at most p_limit rows.';

-- list_messages(workflow_id, limit) -> the messages sent to the workflow, newest first, at most
-- p_limit: topic, value, idempotency key, when sent, and the receive step that consumed it (NULL
-- while it waits). Consumed messages are kept until pgqrs.prune removes them. Reads the
-- workflow's rows of pgqrs.messages through its unique (workflow_id, idempotency_key) index.
-- Errors: PQ001 (no such workflow), PQ008 (NULL id, p_limit not in 1..10000).
create function pgqrs.list_messages(p_workflow_id uuid, p_limit integer default 100)
returns table (
    message_id      bigint,
    topic           text,
    message         jsonb,
    idempotency_key text,
    sent_at         timestamptz,
    consumed_by     text,
    consumed_at     timestamptz
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_id('workflow id', p_workflow_id);
    perform pgqrs._check_limit(p_limit, 10000);
    perform 1 from pgqrs.workflows w where w.id = p_workflow_id;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    return query
        select m.id, m.topic, m.message, m.idempotency_key, m.sent_at, m.consumed_by,
               m.consumed_at
          from pgqrs.messages m
         where m.workflow_id = p_workflow_id
         order by m.id desc
         limit p_limit;
end
$$;
comment on function pgqrs.list_messages(uuid, integer) is
    'The messages sent to a workflow, newest first, with the step that consumed each.';

-- list_events(workflow_id, limit) -> the events the workflow published (set_event): each key's
-- latest value and when it was set, by key, at most p_limit. Reads the primary key of
-- pgqrs.events. Errors: PQ001 (no such workflow), PQ008 (NULL id, p_limit not in 1..10000).
create function pgqrs.list_events(p_workflow_id uuid, p_limit integer default 100)
returns table (key text, value jsonb, set_at timestamptz)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_id('workflow id', p_workflow_id);
    perform pgqrs._check_limit(p_limit, 10000);
    perform 1 from pgqrs.workflows w where w.id = p_workflow_id;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    return query
        select e.key, e.value, e.set_at
          from pgqrs.events e
         where e.workflow_id = p_workflow_id
         order by e.key
         limit p_limit;
end
$$;
comment on function pgqrs.list_events(uuid, integer) is
    'The events a workflow published: the latest value of each key.';

-- workflow_throughput(minutes) -> one row per minute of the last p_minutes (the current minute
-- last, minutes without activity included): how many workflows were created in it, and how many
-- finished in it as SUCCESS, FAILED and CANCELLED (DEAD is not an outcome: stuck_workflows
-- lists those). Minutes are UTC minutes of pgqrs.now(). Reads the index entries of
-- the window only (workflows_created, workflows_finished_at): its cost grows with the traffic
-- of the window, not with the table.
-- Errors: PQ008 (p_minutes not in 1..1440).
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
    v_last  timestamptz;
    v_first timestamptz;
begin
    if p_minutes is null or p_minutes < 1 or p_minutes > 1440 then
        raise exception 'pgqrs: minutes must be between 1 and 1440, got %',
            coalesce(p_minutes::text, 'NULL')
            using errcode = 'PQ008';
    end if;
    -- date_bin works on the UTC instant, not in the session's time zone as date_trunc does:
    -- half the cost per row, and the same minutes (zones are whole minutes apart).
    v_last := pg_catalog.date_bin('1 minute', pgqrs.now(), '2000-01-01 00:00:00+00');
    v_first := v_last - (p_minutes - 1) * interval '1 minute';
    return query
        select m.minute,
               coalesce(c.n, 0),
               coalesce(f.succeeded, 0),
               coalesce(f.failed, 0),
               coalesce(f.cancelled, 0)
          from pg_catalog.generate_series(v_first, v_last, interval '1 minute') as m(minute)
          left join (select pg_catalog.date_bin('1 minute', w.created_at,
                                                '2000-01-01 00:00:00+00') as minute,
                            pg_catalog.count(*) as n
                       from pgqrs.workflows w
                      where w.created_at >= v_first
                      group by 1) c on c.minute = m.minute
          left join (select pg_catalog.date_bin('1 minute', w.finished_at,
                                                '2000-01-01 00:00:00+00') as minute,
                            pg_catalog.count(*) filter (where w.status = 'SUCCESS') as succeeded,
                            pg_catalog.count(*) filter (where w.status = 'FAILED') as failed,
                            pg_catalog.count(*) filter (where w.status = 'CANCELLED')
                                as cancelled
                       from pgqrs.workflows w
                      where w.finished_at >= v_first
                      group by 1) f on f.minute = m.minute
         order by m.minute;
end
$$;
comment on function pgqrs.workflow_throughput(integer) is
    'Workflows created and finished (by outcome) per minute over the last minutes.';

-- stuck_workflows(limit, stale_seconds) -> what will not move without someone acting, at most
-- p_limit rows of each kind, oldest first within a kind, with a one-line reason and since when:
-- * 'lease expired': RUNNING under a lease that expired (its runner died or hangs). A queued
--   one is taken over by the next claim of a live worker serving its name; an inline run (not
--   queued) waits for resume_workflow. Reads the leases (index workflows_lease_owner).
-- * 'DEAD': its runners died more than max_recoveries times; revive_workflow or
--   resume_workflow puts it back (index workflows_status_created).
-- * 'waits for a workflow that does not exist' or 'that finished without waking it': a
--   workflow suspended in await_workflow whose awaited workflow is gone (pruned) or finished
--   while the wake-up was lost (index workflows_waiting).
-- * 'no live worker serves <name>': the oldest queued workflow of each name that is due now
--   when no worker (alive within p_stale_seconds) serves the name; one row per name
--   (queue_depth counts them). Reads the index workflows_claimable, one probe per name.
-- Errors: PQ008 (p_limit not in 1..10000; the stale window as in list_workers).
create function pgqrs.stuck_workflows(
    p_limit         integer default 100,
    p_stale_seconds double precision default 30
)
returns table (id uuid, name text, status text, reason text, since timestamptz)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now timestamptz := pgqrs.now();
begin
    perform pgqrs._check_limit(p_limit, 10000);
    perform pgqrs._check_stale_seconds(p_stale_seconds);
    return query
    (select w.id, w.name, w.status,
            pg_catalog.format('lease expired (owner %s)%s', w.lease_owner,
                              case when w.queued then '' else ', an inline run' end),
            w.lease_expires_at
       from pgqrs.workflows w
      where w.lease_owner is not null
        and w.status = 'RUNNING'
        and w.lease_expires_at <= v_now
      order by w.lease_expires_at
      limit p_limit)
    union all
    (select w.id, w.name, w.status,
            pg_catalog.format('DEAD after %s %s', w.recoveries,
                              case when w.recoveries = 1 then 'recovery' else 'recoveries' end),
            w.updated_at
       from pgqrs.workflows w
      where w.status = 'DEAD'
      order by w.created_at, w.id
      limit p_limit)
    union all
    (select w.id, w.name, w.status,
            case when o.id is null
                 then pg_catalog.format('waits for workflow %s, which does not exist',
                                        pg_catalog.substr(w.waiting_for, 10))
                 else pg_catalog.format('waits for workflow %s, which is %s and did not wake it',
                                        o.id, o.status) end,
            w.updated_at
       from pgqrs.workflows w
       left join pgqrs.workflows o
              on o.id = (case when w.waiting_for ~ '^workflow:[0-9a-fA-F-]{36}$'
                              then pg_catalog.substr(w.waiting_for, 10)::uuid end)
      where w.waiting_for is not null
        and w.waiting_for like 'workflow:%'
        and w.status = 'RUNNING'
        and w.lease_owner is null
        and w.available_at is null
        and (o.id is null or o.status in ('SUCCESS', 'FAILED', 'CANCELLED', 'DEAD'))
        and not exists (select 1 from pgqrs.deferred d where d.workflow_id = w.id)
      order by w.updated_at
      limit p_limit)
    union all
    (with recursive names(name) as (
         -- The names with queued work, one index probe each (a skip scan of
         -- workflows_claimable).
         (select w.name from pgqrs.workflows w
           where w.queued and w.status in ('PENDING', 'RUNNING') and w.lease_owner is null
           order by w.name limit 1)
         union all
         (select (select w.name from pgqrs.workflows w
                   where w.queued and w.status in ('PENDING', 'RUNNING')
                     and w.lease_owner is null and w.name > n.name
                   order by w.name limit 1)
            from names n
           where n.name is not null)
     )
     select o.id, o.name, o.status,
            pg_catalog.format('no live worker serves %s', o.name), o.available_at
       from names n
       cross join lateral (
           select w.id, w.name, w.status, w.available_at
             from pgqrs.workflows w
            where w.queued and w.status in ('PENDING', 'RUNNING') and w.lease_owner is null
              and w.name = n.name and w.available_at <= v_now
            order by w.available_at, w.id
            limit 1) o
      where n.name is not null
        and not exists (
            select 1 from pgqrs.workers k
             where n.name = any (k.workflows)
               and k.stopped_at is null
               and k.heartbeat_at > v_now - p_stale_seconds * interval '1 second')
      order by o.available_at
      limit p_limit);
end
$$;
comment on function pgqrs.stuck_workflows(integer, double precision) is
    'Workflows that will not move without someone acting: expired leases, DEAD, lost wake-ups, '
    'work no live worker serves.';

-- queue_depth(stale_seconds) -> one row per workflow name with queued work: how many queued
-- workflows are ready now (available), scheduled for later, waiting to be woken (a receive or
-- an await without a timeout: no available_at), and running under a live lease; since when the
-- oldest ready one waits; and whether a live worker (as in list_workers) serves the name.
-- Reads the queue's partial indexes (workflows_claimable, workflows_leased), so its cost is the
-- size of the queue, not of the table. Errors: PQ008 (the stale window as in list_workers).
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
    v_now timestamptz := pgqrs.now();
begin
    perform pgqrs._check_stale_seconds(p_stale_seconds);
    return query
    select q.name, q.ready, q.scheduled, q.waiting, q.running, q.oldest_ready,
           exists (select 1 from pgqrs.workers k
                    where q.name = any (k.workflows)
                      and k.stopped_at is null
                      and k.heartbeat_at > v_now - p_stale_seconds * interval '1 second')
      from (select w.name,
                   pg_catalog.count(*) filter (where w.lease_owner is null
                                               and w.available_at <= v_now) as ready,
                   pg_catalog.count(*) filter (where w.lease_owner is null
                                               and w.available_at > v_now) as scheduled,
                   pg_catalog.count(*) filter (where w.lease_owner is null
                                               and w.available_at is null) as waiting,
                   pg_catalog.count(*) filter (where w.lease_owner is not null
                                               and w.lease_expires_at > v_now) as running,
                   min(w.available_at) filter (where w.lease_owner is null
                                               and w.available_at <= v_now) as oldest_ready
              from ((select w1.name, w1.lease_owner, w1.available_at, w1.lease_expires_at
                       from pgqrs.workflows w1
                      where w1.queued and w1.status in ('PENDING', 'RUNNING')
                        and w1.lease_owner is null)
                    union all
                    (select w2.name, w2.lease_owner, w2.available_at, w2.lease_expires_at
                       from pgqrs.workflows w2
                      where w2.queued and w2.status = 'RUNNING'
                        and w2.lease_owner is not null)) w
             group by w.name) q
     order by q.name;
end
$$;
comment on function pgqrs.queue_depth(double precision) is
    'Queued workflows per name: ready, scheduled, waiting to be woken, running; and whether '
    'a live worker serves the name.';

-- trace_context(workflow_id) -> the W3C traceparent stored with the workflow by the code that
-- started it (submit_workflow's option traceparent), or NULL. A worker with tracing on reads it
-- to continue that trace in the run's span (docs/observability.md). Reads the workflow's row.
-- Errors: PQ001 (no such workflow), PQ008 (NULL id).
create function pgqrs.trace_context(p_workflow_id uuid)
returns text
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_trace text;
begin
    perform pgqrs._check_id('workflow id', p_workflow_id);
    select w.traceparent into v_trace from pgqrs.workflows w where w.id = p_workflow_id;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    return v_trace;
end
$$;
comment on function pgqrs.trace_context(uuid) is
    'The W3C traceparent of the code that started a workflow, or NULL.';

-- _check_limit(limit, max): raises PQ008 unless a row limit is in 1..p_max.
create function pgqrs._check_limit(p_limit integer, p_max integer)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_limit is null or p_limit < 1 or p_limit > p_max then
        raise exception 'pgqrs: limit must be between 1 and %, got %', p_max,
            coalesce(p_limit::text, 'NULL')
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_limit(integer, integer) is
    'Private. Raises PQ008 unless a row limit is in 1..p_max.';
