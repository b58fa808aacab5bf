-- Retention: prune() deletes what nobody needs any more, in bounded batches (docs/retention.md).
--
-- What goes: a finished tree (a root workflow, one with no parent_id, and all its descendants
-- by parent_id) once the root and every descendant are final (SUCCESS, FAILED or CANCELLED; DEAD
-- only when asked) and last changed before the window, with every row that belongs to them:
-- steps, step attempts, messages, events (and so their idempotency keys). A child never goes
-- alone: it goes with its root, and a tree with one member still running, or finished within
-- the window, stays whole. And consumed messages older than the window, whatever their
-- workflow's state: a receive records its message on its step in the transaction that consumes
-- it, so the row is only kept for send_message's idempotency key.
--
-- Cost: each call reads at most p_limit finished roots from the index workflows_finished,
-- starting where the previous call stopped (pgqrs.prune_cursor), so it costs the same on any
-- table size; a tree that cannot go yet is passed over and looked at again in the next pass
-- (passes start over when one reaches the end of the window). Locks: the rows it deletes, taken
-- with SKIP LOCKED, so a pruner never waits for a workflow row and never holds one that is not
-- final; one pruner per database at a time (a transaction advisory lock).

-- _prune_lock_key(): the key of the advisory lock one pruner holds: the first 8 bytes of
-- sha1('pgqrs prune'), a positive bigint. pg_locks shows it as locktype 'advisory', classid
-- 514012933, objid 1959091855, objsubid 1.
create function pgqrs._prune_lock_key()
returns bigint
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$ select 2207668738915131023::bigint $$;
comment on function pgqrs._prune_lock_key() is
    'Private. The advisory lock key of pgqrs.prune (sha1 of ''pgqrs prune'', 8 bytes).';

-- _check_prune_args(older_than, limit, include_dead): raises PQ008 unless the window is in
-- [1 minute, 100 years], the limit in 1..100000 and include_dead is not NULL. The window has a
-- floor: a workflow's outcome must outlive the moment it is read (a waiter woken by its
-- notification, a retried idempotent start, a poll of an inline await), and a bare number cast
-- to interval means seconds ('30' is 30 seconds, not 30 days).
create function pgqrs._check_prune_args(
    p_older_than   interval,
    p_limit        integer,
    p_include_dead boolean
)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_older_than is null or p_older_than < interval '1 minute'
       or p_older_than > interval '100 years' then
        raise exception 'pgqrs: older_than must be between 1 minute and 100 years, got %',
            coalesce(p_older_than::text, 'NULL')
            using errcode = 'PQ008',
                  hint = 'Pass an interval with a unit, such as interval ''30 days''.';
    end if;
    if p_limit is null or p_limit < 1 or p_limit > 100000 then
        raise exception 'pgqrs: prune limit must be between 1 and 100000, got %',
            coalesce(p_limit::text, 'NULL')
            using errcode = 'PQ008';
    end if;
    if p_include_dead is null then
        raise exception 'pgqrs: include_dead must not be null' using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_prune_args(interval, integer, boolean) is
    'Private. Raises PQ008 unless prune''s window, limit and include_dead are in bounds.';

-- _tree(roots) -> (id, root): every descendant of the given workflows (children by parent_id,
-- their children, and so on) with the root it descends from. One index probe of
-- workflows_parent per node (OFFSET 0 keeps the planner from turning the walk into a join over
-- the whole index). Takes no lock; UNION stops at a cycle, which no API call can make.
create function pgqrs._tree(p_roots uuid[])
returns table (id uuid, root uuid)
language sql
stable
rows 10
set search_path = pg_catalog, pg_temp
as $$
    with recursive tree (id, root) as (
        select c.id, c.parent_id from pgqrs.workflows c where c.parent_id = any (p_roots)
        union
        select k.id, t.root
          from tree t
          cross join lateral (select c.id from pgqrs.workflows c
                               where c.parent_id = t.id offset 0) k
    )
    select t.id, t.root from tree t
$$;
comment on function pgqrs._tree(uuid[]) is
    'Private. The descendants of some workflows, each with the root it descends from.';

-- prune(older_than, limit, include_dead)
--   -> one row (workflows, steps, step_attempts, messages, events, more, busy)
-- Deletes finished workflow trees whose root and every descendant are final (SUCCESS, FAILED,
-- CANCELLED, and DEAD with p_include_dead) and last changed (updated_at) before
-- pgqrs.now() - p_older_than, with their steps, step attempts, messages and events; then up to
-- p_limit consumed messages (of any workflow) consumed before that time. Returns how many rows
-- of each it deleted. A call looks at up to p_limit finished roots, oldest first, from where the
-- previous call stopped; more = true when it stopped at a limit (call again), false when its
-- pass reached the end of the window. busy = true (and nothing done) when another transaction
-- is pruning this database right now: one pruner at a time, by the transaction advisory lock
-- _prune_lock_key(), held until the caller's transaction ends.
-- A tree is deleted whole or not at all: one with a member that is not final, finished within
-- the window, or locked by another transaction right now (SKIP LOCKED) is left as it is for a
-- later pass. A new child cannot appear under a root being deleted: submit_workflow locks the
-- parent FOR SHARE, which waits for this transaction and then finds no parent (PQ001). A
-- DEAD member keeps its tree unless p_include_dead.
-- Locks: the advisory lock; then the finished roots, then their final descendants (FOR UPDATE
-- SKIP LOCKED: never a row that is not final, and never waiting for one); then the rows of the
-- deleted trees in steps, step_attempts, messages and events, then consumed messages (SKIP
-- LOCKED). Asynchronous commit: a prune lost in a crash is done again by the next one.
-- Errors: PQ008 (p_older_than NULL or not in [1 minute, 100 years], p_limit NULL or not in
-- 1..100000, p_include_dead NULL).
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
    v_cutoff   timestamptz;
    v_final    text[];
    v_cursor   pgqrs.prune_cursor;
    v_window   uuid[];
    v_times    timestamptz[];
    v_n        integer;
    v_roots    uuid[];
    v_ids      uuid[];
    v_of       uuid[];
    v_blocked  uuid[];
    v_doomed   uuid[];
    v_wf       bigint;
    v_steps    bigint;
    v_attempts bigint;
    v_messages bigint;
    v_events   bigint;
    v_consumed bigint;
begin
    perform pgqrs._check_prune_args(p_older_than, p_limit, p_include_dead);
    if not pg_catalog.pg_try_advisory_xact_lock(pgqrs._prune_lock_key()) then
        return query select 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, false, true;
        return;
    end if;
    perform pgqrs._async_commit();
    v_cutoff := pgqrs.now() - p_older_than;
    v_final := case when p_include_dead then array['SUCCESS', 'FAILED', 'CANCELLED', 'DEAD']
                    else array['SUCCESS', 'FAILED', 'CANCELLED'] end;

    -- The window: the next p_limit finished roots of this pass, DEAD ones included (they count
    -- towards the limit even when they stay, so that a call's cost never depends on how many
    -- there are). A pass run with another p_include_dead starts over.
    select * into v_cursor from pgqrs.prune_cursor c;
    if v_cursor.include_dead is distinct from p_include_dead then
        v_cursor := null;
    end if;
    select pg_catalog.array_agg(r.id order by r.updated_at, r.id),
           pg_catalog.array_agg(r.updated_at order by r.updated_at, r.id)
      into v_window, v_times
      from (select w.id, w.updated_at
              from pgqrs.workflows w
             where w.parent_id is null
               and w.status in ('SUCCESS', 'FAILED', 'CANCELLED', 'DEAD')
               and w.updated_at < v_cutoff
               and (w.updated_at, w.id)
                   > (coalesce(v_cursor.updated_at, '-infinity'::timestamptz),
                      coalesce(v_cursor.id, '00000000-0000-0000-0000-000000000000'::uuid))
             order by w.updated_at, w.id
             limit p_limit) r;
    v_n := coalesce(pg_catalog.cardinality(v_window), 0);
    if v_n = p_limit then
        insert into pgqrs.prune_cursor as c (updated_at, id, include_dead, moved_at)
        values (v_times[v_n], v_window[v_n], p_include_dead, pgqrs.now())
        on conflict (singleton) do update
           set updated_at = excluded.updated_at, id = excluded.id,
               include_dead = excluded.include_dead, moved_at = excluded.moved_at;
    else
        delete from pgqrs.prune_cursor;
    end if;

    -- The roots that may go, locked. The conditions are checked again on the row locked, so a
    -- root resumed since the window was read is left alone.
    v_roots := array(
        select w.id from pgqrs.workflows w
         where w.id = any (v_window)
           and w.parent_id is null
           and w.status = any (v_final)
           and w.updated_at < v_cutoff
           for update skip locked);

    -- Their descendants that may go, locked: final and old enough (a running one is never
    -- locked). Each is found under a locked node, and nobody can add a child to a locked node.
    select pg_catalog.array_agg(d.id), pg_catalog.array_agg(d.root)
      into v_ids, v_of
      from (select w.id, t.root
              from pgqrs._tree(v_roots) t
              join pgqrs.workflows w on w.id = t.id
             where w.status = any (v_final)
               and w.updated_at < v_cutoff
               for update of w skip locked) d;

    -- A tree with a descendant that was not locked above (not final, too young, held by
    -- another transaction, or added since) stays whole. Walked again now that every locked
    -- node is stable: a child added before its parent was locked shows up here.
    select coalesce(pg_catalog.array_agg(n.root), '{}')
      into v_blocked
      from (select t.root, pg_catalog.count(*) as members
              from pgqrs._tree(v_roots) t group by t.root) n
      left join (select l.root, pg_catalog.count(*) as members
                   from pg_catalog.unnest(v_of) l(root) group by l.root) g on g.root = n.root
     where coalesce(g.members, 0) < n.members;

    select coalesce(pg_catalog.array_agg(x.id), '{}')
      into v_doomed
      from (select r.id from pg_catalog.unnest(v_roots) r(id) where r.id <> all (v_blocked)
            union all
            select l.id
              from rows from (pg_catalog.unnest(v_ids), pg_catalog.unnest(v_of)) l(id, root)
             where l.root <> all (v_blocked)) x;

    -- The rows that belong to them, then the workflows (whose cascades then find nothing).
    with d as (delete from pgqrs.events e where e.workflow_id = any (v_doomed) returning 1)
    select pg_catalog.count(*) into v_events from d;
    with d as (delete from pgqrs.messages m where m.workflow_id = any (v_doomed) returning 1)
    select pg_catalog.count(*) into v_messages from d;
    with d as (delete from pgqrs.step_attempts a where a.workflow_id = any (v_doomed) returning 1)
    select pg_catalog.count(*) into v_attempts from d;
    with d as (delete from pgqrs.steps s where s.workflow_id = any (v_doomed) returning 1)
    select pg_catalog.count(*) into v_steps from d;
    with d as (delete from pgqrs.workflows w where w.id = any (v_doomed) returning 1)
    select pg_catalog.count(*) into v_wf from d;

    -- Consumed messages older than the window, of workflows still running too.
    with d as (
        delete from pgqrs.messages m
         where m.id = any (array(select c.id from pgqrs.messages c
                                  where c.consumed_by is not null and c.consumed_at < v_cutoff
                                  order by c.consumed_at
                                  limit p_limit
                                    for update skip locked))
        returning 1)
    select pg_catalog.count(*) into v_consumed from d;

    return query select v_wf, v_steps, v_attempts, v_messages + v_consumed, v_events,
                        v_n = p_limit or v_consumed = p_limit, false;
end
$$;
comment on function pgqrs.prune(interval, integer, boolean) is
    'Retention: deletes finished workflow trees older than a window (and consumed messages), '
    'in bounded batches; one pruner at a time.';
