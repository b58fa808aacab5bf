-- Workers: registration, claims (with lease reaping and crash loops), heartbeats and stops.

-- _raise_worker_not_found(worker): raises PQ009 for a worker name that is not registered.
create function pgqrs._raise_worker_not_found(p_worker text)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    raise exception 'pgqrs: worker % is not registered', p_worker
        using errcode = 'PQ009',
              hint = 'Call pgqrs.register_worker first.';
end
$$;
comment on function pgqrs._raise_worker_not_found(text) is
    'Private. Raises PQ009 (worker_not_found) for the given worker name.';

-- _worker_names(worker) -> (names, ticked, waiting)
-- The workflow names a registered worker serves (and whether it waits for a full queue:
-- _sync_waiters), after recording that it is alive: heartbeat_at =
-- now, written only when the stored heartbeat is a second old or more (or stopped_at is set), so
-- that a worker claiming in a tight loop reads its row instead of rewriting it each time; ticked
-- says whether it was rewritten (claim_workflows then does its once-a-second chores). Raises
-- PQ008 for a NULL name and PQ009 for an unknown worker. Locks: the worker row, when it writes it.
create function pgqrs._worker_names(p_worker text, out names text[], out ticked boolean,
                                    out waiting boolean)
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now   timestamptz := pgqrs.now();
    v_beat  timestamptz;
    v_gone  timestamptz;
begin
    if p_worker is null then
        raise exception 'pgqrs: worker name must not be null' using errcode = 'PQ008';
    end if;
    select k.workflows, k.heartbeat_at, k.stopped_at, k.waiting into names, v_beat, v_gone, waiting
      from pgqrs.workers k
     where k.name = p_worker;
    if not found then
        perform pgqrs._raise_worker_not_found(p_worker);
    end if;
    ticked := v_gone is not null or not (v_beat > v_now - interval '1 second' and v_beat <= v_now);
    if ticked then
        update pgqrs.workers k
           set heartbeat_at = v_now, stopped_at = null
         where k.name = p_worker
        returning k.workflows into names;
        if not found then
            perform pgqrs._raise_worker_not_found(p_worker);
        end if;
    end if;
end
$$;
comment on function pgqrs._worker_names(text) is
    'Private. Records a worker heartbeat and returns the workflow names it serves (PQ009 if unknown).';

-- _release_worker_leases(worker, recovered) -> leases released
-- Releases every lease that worker holds on a RUNNING workflow, as release_workflow does (owner
-- and expiry NULL, token + 1), counting a recovery on each when p_recovered (the worker died
-- holding them), and announces the released work with NOTIFY pgqrs_work ('*').
-- Locks: the workflow rows the worker held.
create function pgqrs._release_worker_leases(p_worker text, p_recovered boolean)
returns integer
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_released integer;
    v_held     uuid[];
begin
    v_held := array(select w.id from pgqrs.workflows w
                     where w.lease_owner = p_worker and w.status = 'RUNNING');
    update pgqrs.workflows w
       set lease_owner = null,
           lease_expires_at = null,
           lease_token = w.lease_token + 1,
           recoveries = w.recoveries + p_recovered::integer,
           updated_at = pgqrs.now()
     where w.lease_owner = p_worker
       and w.status = 'RUNNING';
    get diagnostics v_released = row_count;
    delete from pgqrs.queue_waiters q where q.worker = p_worker;
    perform pgqrs._free_slots(v_held);
    if v_released > 0 then
        perform pg_catalog.pg_notify('pgqrs_work', '*');
    end if;
    return v_released;
end
$$;
comment on function pgqrs._release_worker_leases(text, boolean) is
    'Private. Releases the leases a worker holds (token + 1), optionally counting recoveries.';

-- register_worker(worker, workflows, concurrency, hostname, pid) -> leases released
-- Records a worker, the workflow names it serves and its concurrency, and marks it alive. A
-- worker name identifies one live process: registering again (a restart) ends the previous
-- incarnation, so the leases it still held are released at once and counted as recoveries
-- (that process died holding them; their tokens move on), and NOTIFY pgqrs_work announces them.
-- Returns how many leases were released. Also forgets workers stopped or silent for more than a
-- day, so pgqrs.workers does not grow without bound. Locks: the worker row, then the workflow
-- rows it held.
-- Errors: PQ008 (a worker name or hostname that is blank or over 255 characters; a list of names
-- that is NULL, empty, over 1000 names, or holds a blank or oversized one; concurrency not in
-- [1, 10000]; a negative pid).
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
    v_now      timestamptz := pgqrs.now();
    v_released integer;
    v_name     text;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_text('worker name', p_worker, 255);
    if p_workflows is null or pg_catalog.cardinality(p_workflows) = 0 then
        raise exception 'pgqrs: a worker must serve at least one workflow name'
            using errcode = 'PQ008';
    end if;
    if pg_catalog.cardinality(p_workflows) > 1000 then
        raise exception 'pgqrs: a worker serves at most 1000 workflow names, got %',
            pg_catalog.cardinality(p_workflows)
            using errcode = 'PQ008';
    end if;
    foreach v_name in array p_workflows loop
        perform pgqrs._check_text('workflow name', v_name, 255);
    end loop;
    if p_concurrency is null or not (p_concurrency between 1 and 10000) then
        raise exception 'pgqrs: worker concurrency must be between 1 and 10000, got %',
            p_concurrency
            using errcode = 'PQ008';
    end if;
    if p_hostname is not null then
        perform pgqrs._check_text('hostname', p_hostname, 255);
    end if;
    if p_pid < 0 then
        raise exception 'pgqrs: pid must be 0 or more, got %', p_pid using errcode = 'PQ008';
    end if;

    insert into pgqrs.workers as k
           (name, hostname, pid, workflows, concurrency, started_at, heartbeat_at)
    values (p_worker, p_hostname, p_pid, p_workflows, p_concurrency, v_now, v_now)
    on conflict (name) do update
       set hostname = excluded.hostname,
           pid = excluded.pid,
           workflows = excluded.workflows,
           concurrency = excluded.concurrency,
           started_at = excluded.started_at,
           heartbeat_at = excluded.heartbeat_at,
           stopped_at = null;

    v_released := pgqrs._release_worker_leases(p_worker, true);

    -- Housekeeping: forget workers that stopped, or were last heard of, more than a day ago.
    delete from pgqrs.workers k
     where k.name <> p_worker
       and coalesce(k.stopped_at, k.heartbeat_at) < v_now - interval '1 day';
    return v_released;
end
$$;
comment on function pgqrs.register_worker(text, text[], integer, text, integer) is
    'Registers (or restarts) a worker; releases the leases its previous incarnation held.';

-- worker_heartbeat(worker)
-- Marks the worker alive now (claim_workflows does too). Asynchronous commit, like a lease
-- heartbeat. Locks: the worker row. Errors: PQ008 (NULL worker), PQ009.
create function pgqrs.worker_heartbeat(p_worker text)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._async_commit();
    perform pgqrs._worker_names(p_worker);
end
$$;
comment on function pgqrs.worker_heartbeat(text) is 'Marks a registered worker alive now.';

-- _claim_hint(queue, name) -> (rank, at, id)
-- Where this session's last claim of workflows of that name in that queue started: the key
-- (-priority, available_at, id) in workflows_claimable of the first workflow it took, kept by
-- _set_claim_hint in the session setting pgqrs.claim_hint_<md5(queue, name)> (54 characters:
-- -priority + 2000 in 4 digits, the microseconds since 1970 in 18 digits, then the id in 32 hex
-- digits). The start of the queue (rank -1001, '-infinity' and the nil uuid) when there is none,
-- or when the setting holds anything else. Only where a scan starts depends on it, never what a
-- claim may take. Reads a setting; no locks.
create function pgqrs._claim_hint(
    p_queue  text,
    p_name   text,
    out rank integer,
    out at   timestamptz,
    out id   uuid
)
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    -- Checked with character classes, not a pattern with groups: this runs at every claim, and
    -- those cost 10 times more.
    v_hint text := pg_catalog.current_setting(
        'pgqrs.claim_hint_' || pg_catalog.md5(p_queue || pg_catalog.chr(10) || p_name), true);
begin
    rank := -1001;
    at := '-infinity';
    id := '00000000-0000-0000-0000-000000000000';
    if pg_catalog.length(v_hint) = 54 and v_hint !~ '[^0-9a-f]'
       and pg_catalog.substr(v_hint, 1, 22) !~ '[^0-9]' then
        rank := pg_catalog.substr(v_hint, 1, 4)::integer - 2000;
        at := timestamptz 'epoch'
              + pg_catalog.substr(v_hint, 5, 12)::bigint * interval '1 second'
              + pg_catalog.substr(v_hint, 17, 6)::integer * interval '1 microsecond';
        id := pg_catalog.substr(v_hint, 23)::uuid;
    end if;
end
$$;
comment on function pgqrs._claim_hint(text, text) is
    'Private. Where this session''s last claim of a name in a queue started (or the start).';

-- _set_claim_hint(queue, name, rank, at, id): records in the session that its claims of that
-- name in that queue may start at the key (p_rank, p_at, p_id) of workflows_claimable (see
-- _claim_hint). A session setting, not a row: it costs no write, and leaves nothing behind that
-- an old snapshot would keep. Like any setting, it is undone when the transaction rolls back.
-- No locks.
create function pgqrs._set_claim_hint(
    p_queue text,
    p_name  text,
    p_rank  integer,
    p_at    timestamptz,
    p_id    uuid
)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pg_catalog.set_config(
        'pgqrs.claim_hint_' || pg_catalog.md5(p_queue || pg_catalog.chr(10) || p_name),
        pg_catalog.lpad((p_rank + 2000)::text, 4, '0')
            || pg_catalog.lpad(((extract(epoch from p_at) * 1000000)::bigint)::text, 18, '0')
            || pg_catalog.replace(p_id::text, '-', ''),
        false);
end
$$;
comment on function pgqrs._set_claim_hint(text, text, integer, timestamptz, uuid) is
    'Private. Records where this session''s next claim of a name in a queue may start.';

-- claim(worker, claim_id, limit, lease_seconds)
--   -> (workflow_id, name, token, input, steps, recovered)
-- Hands the worker up to p_limit runnable workflows among the names it serves, each under a new
-- lease with its fencing token, its input and its replay snapshot (as acquire_workflow returns
-- it, "#more" included, within max(1 MiB, 16 MiB / p_limit) of values each): everything needed
-- to run it, in one call. Runnable means queued, PENDING or RUNNING, available (available_at <=
-- now), within its deadline, and with no live lease: never leased, released, or expired.
-- * Fresh work is taken per name from workflows_claimable, oldest available_at first, the names
--   in the order of their oldest runnable workflow, so the cost of a claim does not depend on
--   how much work of other names is queued. Nor on how much this name has had: a session's
--   claims of a name go on from the key where its previous claim started (_claim_hint), instead
--   of reading again every entry that earlier claims left behind, which no one can remove while
--   another transaction holds back the xmin horizon. A workflow that became runnable behind
--   that key (a released lease, a transaction that committed late, a run_at in the past) is
--   taken by the first claim that does not find p_limit workflows after the key, which then
--   looks from the oldest, or by the next claim that rewrites the heartbeat (once a second),
--   which looks from the oldest first.
-- * Expired leases are reaped right here, so no reaper job exists: taking one over is a recovery
--   (recovered = true). It looks for them (among the workflows of its names that are running,
--   not among those queued) when fresh work did not fill p_limit, and at most once a second
--   first of all (when it rewrites the worker's heartbeat). A takeover is held to its queue's
--   limits like a start (a paused queue, a full one, a worker or key at its limit hold it back;
--   no permit: it is not a first start), except one that will be moved to DEAD.
-- * A workflow whose recoveries would exceed its max_recoveries is not handed out: it becomes
--   DEAD with a pgqrs.CrashLoop error (its token moves on, fencing out the holder that was
--   declared dead) and NOTIFY pgqrs_done announces it; revive_workflow brings it back. So is one
--   whose snapshot cannot be built (pgqrs.Unclaimable, with the reason): one workflow that cannot
--   be handed out never stops the claim. A workflow moved to DEAD uses up a place in p_limit, so
--   a claim may return fewer rows while more are runnable; next_claim_at then says so.
-- * p_claim_id, chosen by the caller (a new one per claim, the same one when the call is retried
--   after its answer was lost), makes a retry idempotent: when workflows are still leased to this
--   worker under that claim, the retry returns them (same tokens) and claims nothing new. NULL:
--   no claim id (claim_workflows, the 0.1.0 call, is this with NULL).
-- Rows locked by another claimer are skipped (FOR NO KEY UPDATE SKIP LOCKED), so concurrent
-- workers never wait for each other and never get the same workflow. Also records the worker's
-- heartbeat. First it applies cancels and wake-ups deferred by _cancel_tree (pgqrs.deferred),
-- and starts the workflows of due schedule ticks, whatever names they have (_fire_schedules: up
-- to 10 schedules, SKIP LOCKED; so there is no scheduler process),
-- then cancels up to 100 workflows whose deadline has passed, with their descendants (whoever
-- holds them: the new token fences the holder out; _cancel_tree never waits for a lock), and it
-- never hands out one past its deadline.
-- Locks: the worker row, then schedule rows and the workflow rows they start, then workflow
-- rows (deferred, past their deadline, claimed), all SKIP LOCKED. Errors: PQ008 (NULL worker; limit not in 1..1000; bad lease length), PQ009.
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
-- Walk the claim indexes in order and stop after p_limit rows, whatever the statistics say: with
-- a stale row estimate (a queue that just filled up) the planner would rather fetch every
-- claimable row and sort them, which makes each claim cost as much as the whole queue.
set enable_sort = off
-- No JIT: a plan that still needs a sort (a few rows) is costed at "disabled" (1e10) under
-- enable_sort = off, which is above every jit_*_above_cost, and compiling it took 60-120 ms of
-- every claim.
set jit = off
-- Plan each statement once per session: its plan is the same whatever the values (the indexes
-- above, in order), but with a large table the generic plan's estimates look worse than a
-- custom plan's, so PostgreSQL kept planning the fresh-work scan again at every claim (0.2 ms
-- at 1,100,000 workflows, more than running it).
set plan_cache_mode = force_generic_plan
as $$
declare
    v_now       timestamptz := pgqrs.now();
    v_names     text[];
    v_ticked    boolean;
    v_wf        record;
    v_recovered boolean;
    v_crashes   integer;
    v_ids       uuid[] := '{}';
    v_id        uuid;
    v_pairs     pgqrs.queue_names[];
    v_pair      record;
    v_queue_name text;
    v_steps     jsonb;
    v_budget    bigint;
    v_setting   text;
    v_retried   boolean := false;
    v_hinted    boolean;
    v_waiting   boolean;
begin
    -- A worker calls this in a loop: checks are expressions, the private checkers only raise.
    v_setting := pg_catalog.set_config('synchronous_commit', 'on', true);
    if p_limit is null or p_limit < 1 or p_limit > 1000 then
        raise exception 'pgqrs: claim limit must be between 1 and 1000, got %', p_limit
            using errcode = 'PQ008';
    end if;
    if p_lease_seconds is null or not (p_lease_seconds > 0 and p_lease_seconds <= 86400) then
        perform pgqrs._check_lease_seconds(p_lease_seconds);
    end if;
    select n.names, n.ticked, n.waiting into v_names, v_ticked, v_waiting
      from pgqrs._worker_names(p_worker) n;
    v_budget := greatest(1048576, 16777216 / p_limit);

    -- A retry of a claim whose answer was lost: hand back what that claim granted. One probe of
    -- workflows_lease_owner by owner and claim id; the status is checked on the rows found, so
    -- that no plan can walk every RUNNING workflow (or every lease this owner ever held) instead.
    if p_claim_id is not null then
        for v_wf in
            select w.id, w.name, w.lease_token, w.input, w.status
              from pgqrs.workflows w
             where w.lease_owner = p_worker
               and w.claim_id = p_claim_id
             order by w.available_at, w.id
        loop
            continue when v_wf.status <> 'RUNNING';
            workflow_id := v_wf.id;
            name := v_wf.name;
            token := v_wf.lease_token;
            input := v_wf.input;
            steps := pgqrs._finished_steps(v_wf.id, v_budget);
            recovered := false;
            v_retried := true;
            return next;
        end loop;
        if v_retried then
            return;
        end if;
    end if;

    -- Cancels and wake-ups that found their row locked earlier. Usually none: one probe.
    if exists (select from pgqrs.deferred) then
        perform pgqrs._apply_deferred(v_now, 100);
    end if;

    -- Schedules: start the workflows of due ticks (14_schedules.sql). Usually none: one probe
    -- (min() reads the first entry of schedules_due, whatever plan a generic one would pick).
    if (select min(s.next_run_at) from pgqrs.schedules s where not s.paused) <= v_now then
        perform pgqrs._fire_schedules(v_now, 10);
    end if;

    -- Deadlines: a workflow past its deadline is cancelled, whoever holds it (a stuck runner is
    -- fenced out by the new token). Usually there is none: one probe of workflows_deadline, the
    -- earliest deadline, asked as min() so that the first entry of that index is the only cheap
    -- plan. (Asked as EXISTS, it was planned as a sequential scan of the whole table that hoped
    -- to stop at an early match whenever the statistics made matches look common, such as right
    -- after a queue filled up: 4-40 ms per claim at 60,000-120,000 workflows.)
    if (select min(w.deadline_at) from pgqrs.workflows w
         where w.deadline_at is not null and w.status in ('PENDING', 'RUNNING')) <= v_now then
        for v_wf in
            select w.id, w.deadline_at
              from pgqrs.workflows w
             where w.deadline_at <= v_now
               and w.status in ('PENDING', 'RUNNING')
             order by w.deadline_at
             limit 100
               for no key update skip locked
        loop
            perform pgqrs._cancel_tree(v_wf.id, pgqrs._deadline_error(v_wf.deadline_at), v_now);
        end loop;
    end if;

    -- Expired leases (_claim_expired): once a second first, so that a steady stream of fresh work
    -- cannot keep them waiting; otherwise after fresh work, when it did not fill the claim.
    -- Either way a workflow is only selected when it will be handed out (or moved to DEAD), so a
    -- claim never takes a slot or permit for work it then leaves.
    if v_ticked then
        v_ids := pgqrs._claim_expired(p_worker, v_names, '{}', p_limit, v_now);
    end if;

    -- Fresh work, queue by queue and name by name: the default queue for every name this worker
    -- serves, and the other queues its names are queued in (queue_names). The ids first, locked,
    -- into an array (a loop over a query would open a cursor, which costs more than the rest of
    -- a one-row claim). With several pairs, the one whose best runnable workflow (highest
    -- priority, then oldest) comes first goes first (one index probe each; none for a worker with
    -- one pair); limited queues take capacity for each workflow (_claim_queue).
    -- A scan starts at the key where this session's last claim of the pair started
    -- (_claim_hint), not at the front of workflows_claimable: every claimed workflow leaves its
    -- entry there, in front of the queue, and while another transaction holds back the xmin
    -- horizon no one can remove those entries, so a scan from the front would read all of them
    -- at every claim. A workflow that became claimable behind that key (a released lease, a
    -- transaction that committed late, a run_at in the past, a higher priority) is found by the
    -- full scan, which runs first once a second (v_ticked), and after the hinted one whenever
    -- that did not fill p_limit: a claim that finds fewer workflows than asked has looked at the
    -- whole queue.
    v_pairs := array(select row(u.name, 'default')::pgqrs.queue_names
                       from (select distinct x.name from pg_catalog.unnest(v_names) x (name)) u
                     union all
                     select n
                       from pgqrs.queue_names n
                      where n.name = any (v_names) and n.queue <> 'default');
    v_hinted := not v_ticked;
    loop
        for v_pair in
            select n.queue, n.name
              from pg_catalog.unnest(v_pairs) n
              left join lateral pgqrs._claim_hint(n.queue, n.name) h on v_hinted
              left join lateral (
                  select w.priority, w.available_at, w.id
                    from pgqrs.workflows w
                   where pg_catalog.cardinality(v_pairs) > 1
                     and w.queue = n.queue
                     and w.name = n.name
                     and w.concurrency_key is null
                     and w.queued
                     and w.status in ('PENDING', 'RUNNING')
                     and w.lease_owner is null
                     and w.available_at <= v_now
                     and (- w.priority, w.available_at, w.id)
                         >= (coalesce(h.rank, -1001), coalesce(h.at, '-infinity'),
                             coalesce(h.id, '00000000-0000-0000-0000-000000000000'))
                   order by (- w.priority), w.available_at, w.id
                   limit 1) f on true
             where pg_catalog.cardinality(v_pairs) = 1 or f.id is not null
             order by (- f.priority), f.available_at, f.id
        loop
            exit when pg_catalog.cardinality(v_ids) >= p_limit;
            v_ids := v_ids || pgqrs._claim_queue(p_worker, pgqrs._queue(v_pair.queue),
                                                 v_pair.name, v_ids,
                                                 p_limit - pg_catalog.cardinality(v_ids), v_now,
                                                 v_hinted);
        end loop;
        exit when not v_hinted or pg_catalog.cardinality(v_ids) >= p_limit;
        v_hinted := false;
    end loop;
    -- Work with concurrency keys, round-robin per queue (_claim_keys).
    if pg_catalog.cardinality(v_ids) < p_limit then
        for v_queue_name in
            select distinct n.queue from pg_catalog.unnest(v_pairs) n
             where exists (select from pgqrs.queue_keys k where k.queue = n.queue)
        loop
            exit when pg_catalog.cardinality(v_ids) >= p_limit;
            v_ids := v_ids || pgqrs._claim_keys(p_worker, pgqrs._queue(v_queue_name), v_names,
                                                v_ids, p_limit - pg_catalog.cardinality(v_ids),
                                                v_now);
        end loop;
    end if;

    if not v_ticked and pg_catalog.cardinality(v_ids) < p_limit then
        v_ids := v_ids || pgqrs._claim_expired(p_worker, v_names, v_ids,
                                               p_limit - pg_catalog.cardinality(v_ids), v_now);
    end if;

    -- The queues this claim found full: the worker waits for a slot there (_free_slot wakes it).
    -- Nothing to do (the usual case) when none was full and the worker waited for none.
    if v_waiting or pg_catalog.current_setting('pgqrs.full_queues', true) <> '' then
        perform pgqrs._sync_waiters(p_worker, v_waiting);
    end if;

    foreach v_id in array v_ids loop
        select w.id, w.name, w.status, w.lease_owner, w.recoveries, w.max_recoveries, w.input,
               w.forked_from
          into v_wf
          from pgqrs.workflows w
         where w.id = v_id;
        v_recovered := v_wf.status = 'RUNNING' and v_wf.lease_owner is not null;
        v_crashes := v_wf.recoveries + v_recovered::integer;
        v_steps := '{}'::jsonb;
        -- A PENDING workflow has never run, so it has no finished steps to load, unless it is a
        -- fork, which starts with the steps it copied.
        if v_crashes <= v_wf.max_recoveries
           and (v_wf.status <> 'PENDING' or v_wf.forked_from is not null) then
            begin
                v_steps := pgqrs._finished_steps(v_wf.id, v_budget);
            exception when others then
                -- Set aside, not retried forever: DEAD with the reason.
                perform pgqrs._set_aside(v_wf.id, v_now, pg_catalog.jsonb_build_object(
                    'type', 'pgqrs.Unclaimable',
                    'message', 'its replay snapshot could not be built: ' || sqlerrm,
                    'traceback', null), v_crashes);
                continue;
            end;
        end if;
        if v_crashes > v_wf.max_recoveries then
            perform pgqrs._set_aside(v_wf.id, v_now, pg_catalog.jsonb_build_object(
                'type', 'pgqrs.CrashLoop',
                'message', pg_catalog.format(
                    'its runner died %s times (max_recoveries is %s)',
                    v_crashes, v_wf.max_recoveries),
                'traceback', null), v_crashes);
            continue;
        end if;
        workflow_id := v_wf.id;
        name := v_wf.name;
        token := pgqrs._grant_lease(v_wf.id, p_worker, p_lease_seconds, v_recovered, v_now,
                                    p_claim_id);
        input := v_wf.input;
        steps := v_steps;
        recovered := v_recovered;
        return next;
    end loop;
end
$$;
comment on function pgqrs.claim(text, uuid, integer, double precision) is
    'Hands a worker up to p_limit runnable workflows under new leases (SKIP LOCKED); reaps '
    'expired leases and moves crash-looping workflows to DEAD. Idempotent per claim id.';

-- claim_workflows(worker, limit, lease_seconds) -> (workflow_id, name, token, input, steps,
--   recovered)
-- The 0.1.0 call: pgqrs.claim without a claim id, so not idempotent (a retry after a lost answer
-- claims again, and what the first call granted waits for its leases to expire). Everything
-- else is pgqrs.claim's contract. Errors: as pgqrs.claim.
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

-- _set_aside(workflow_id, now, error, recoveries): moves a workflow that a claim will not hand out
-- to DEAD with p_error (a crash loop, a snapshot that cannot be built): its lease ends (token +
-- 1, fencing out the holder declared dead), NOTIFY pgqrs_done announces it and whoever awaits it
-- is woken (never waiting: _wake_waiters with deferral). revive_workflow brings it back. The
-- caller holds the row. Locks: the workflow row, and its waiters' SKIP LOCKED.
create function pgqrs._set_aside(
    p_workflow_id uuid,
    p_now         timestamptz,
    p_error       jsonb,
    p_recoveries  integer
)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    update pgqrs.workflows w
       set status = 'DEAD',
           recoveries = p_recoveries,
           error = p_error,
           lease_owner = null,
           lease_expires_at = null,
           lease_token = w.lease_token + 1,
           updated_at = p_now
     where w.id = p_workflow_id;
    perform pgqrs._notify('pgqrs_done', 'done:' || p_workflow_id::text);
    perform pgqrs._free_slot(p_workflow_id);
    perform pgqrs._wake_waiters(array['workflow:' || p_workflow_id::text], null, p_now, true);
end
$$;
comment on function pgqrs._set_aside(uuid, timestamptz, jsonb, integer) is
    'Private. Moves a workflow a claim will not hand out to DEAD, with the reason.';

-- next_claim_at(worker) -> timestamptz
-- The earliest time at which a workflow this worker serves becomes claimable (its available_at,
-- or the expiry of its current lease), NULL when there is none; may be in the past (now, also,
-- while deferred cancels or wake-ups wait for a claim to apply them). Work that its queue's
-- limits hold back counts only when they could let it start: a rate limit from when a permit
-- frees, a full queue or key not at all (a slot freed sends NOTIFY pgqrs_work), a paused queue
-- not at all (_queue_next_at); a lease that expired only when its takeover could run now
-- (_admissible). A worker that found nothing to claim sleeps until then, or until
-- NOTIFY pgqrs_work. It reads one index entry per queue and name for queued work (a few keys
-- for keyed work), and the running workflows of its names for leases: not the queue. It is
-- never later than the next tick of a schedule that is not paused (one probe of
-- schedules_due), whatever workflow it starts: every worker's claim fires due schedules.
-- A worker calls it before it sleeps after a claim that got fewer workflows than it asked for:
-- for each queue that claim found full (pgqrs.queue_waiters), it looks again, after taking the
-- queue's wake-up lock for a moment (see _free_slot): now when a slot is free there (freed while
-- the claim ran, by a run that did not see the worker waiting), in 20 ms when the lock is held
-- (a run of the queue is ending, and may not have seen the worker waiting).
-- The answer is always a time every client can represent (_check_time's range): a stored time
-- outside it ('infinity', written before 0.2.0 bounded times, or around the API) counts as
-- never (NULL) when it is late, and as now when it is early.
-- Writes nothing. Locks: each full queue's wake-up lock (advisory, exclusive, without waiting,
-- released at once). Errors: PQ008 (NULL worker), PQ009.
create function pgqrs.next_claim_at(p_worker text)
returns timestamptz
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now   timestamptz := pgqrs.now();
    v_names text[];
    v_next  timestamptz;
    v_queue_name text;
begin
    if p_worker is null then
        raise exception 'pgqrs: worker name must not be null' using errcode = 'PQ008';
    end if;
    select k.workflows into v_names from pgqrs.workers k where k.name = p_worker;
    if not found then
        perform pgqrs._raise_worker_not_found(p_worker);
    end if;
    if exists (select from pgqrs.deferred) then
        return pgqrs.now();
    end if;
    for v_queue_name in
        select 'default'
        union
        select n.queue from pgqrs.queue_names n
         where n.name = any (v_names) and n.queue <> 'default'
    loop
        v_next := least(v_next, pgqrs._queue_next_at(p_worker, pgqrs._queue(v_queue_name),
                                                     v_names, v_now));
    end loop;
    v_next := least(v_next, (select min(s.next_run_at) from pgqrs.schedules s
                              where not s.paused));
    -- Full queues this worker waits for: a slot freed by a run that did not see it waiting.
    for v_queue_name in
        select q.queue from pgqrs.queue_waiters q where q.worker = p_worker
    loop
        if not pg_catalog.pg_try_advisory_lock(1885827442, pg_catalog.hashtext(v_queue_name)) then
            v_next := least(v_next, v_now + interval '20 milliseconds');
            continue;
        end if;
        perform pg_catalog.pg_advisory_unlock(1885827442, pg_catalog.hashtext(v_queue_name));
        -- A statement of its own: its snapshot comes after the lock, so after the commit of
        -- every run that held it.
        if exists (select from pgqrs.queue_slots s
                     join pgqrs.queues q on q.name = s.queue
                    where s.queue = v_queue_name and s.workflow_id is null
                      and s.slot <= q.concurrency) then
            v_next := least(v_next, v_now);
        end if;
    end loop;
    -- Leases: an expired one only when its queue would let it be taken over now (a claim
    -- leaves it otherwise, and reporting it would make the worker claim in a loop).
    v_next := least(
        v_next,
        (select min(w.lease_expires_at)
           from pgqrs.workflows w
          where w.name = any (v_names)
            and w.queued
            and w.status = 'RUNNING'
            and w.lease_owner is not null
            and case when w.lease_expires_at > v_now or w.recoveries >= w.max_recoveries
                     then true
                     else pgqrs._admissible(p_worker, pgqrs._queue(w.queue), w.concurrency_key,
                                            v_now) end));
    if v_next >= '9999-01-01 00:00:00+00'::timestamptz then
        return null;
    elsif v_next < '1970-01-01 00:00:00+00'::timestamptz then
        return pgqrs.now();
    end if;
    return v_next;
end
$$;
comment on function pgqrs.next_claim_at(text) is
    'When the next workflow this worker serves becomes claimable (NULL: none).';

-- stop_worker(worker) -> leases released
-- Marks the worker stopped and releases every lease it still holds, as release_workflow does
-- (the tokens move on, fencing out anything of this worker still running), so that other
-- workers resume that work at once (NOTIFY pgqrs_work); not a recovery. A stopping worker calls
-- it after its grace period. Locks: the worker row, then the workflow rows it held.
-- Errors: PQ008 (NULL worker), PQ009.
create function pgqrs.stop_worker(p_worker text)
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    if p_worker is null then
        raise exception 'pgqrs: worker name must not be null' using errcode = 'PQ008';
    end if;
    update pgqrs.workers k set stopped_at = pgqrs.now() where k.name = p_worker;
    if not found then
        perform pgqrs._raise_worker_not_found(p_worker);
    end if;
    return pgqrs._release_worker_leases(p_worker, false);
end
$$;
comment on function pgqrs.stop_worker(text) is
    'Marks a worker stopped and releases its leases so others resume at once.';
