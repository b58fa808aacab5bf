-- Operator control: cancel (with a workflow's children), deadlines, resume, revive and fork.

-- _deadline_error(deadline): the error a workflow is cancelled with when its deadline passes.
create function pgqrs._deadline_error(p_deadline timestamptz)
returns jsonb
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
    select pg_catalog.jsonb_build_object(
        'type', 'pgqrs.DeadlineExceeded',
        'message', 'deadline ' || p_deadline::text || ' exceeded',
        'traceback', null)
$$;
comment on function pgqrs._deadline_error(timestamptz) is
    'Private. The stored error of a workflow cancelled by its deadline.';

-- _cancel_tree(workflow_id, error, now): makes a PENDING, RUNNING or DEAD workflow CANCELLED
-- with p_error as its error, and its descendants that are not final too (each with "its parent
-- workflow <id> was cancelled"): every lease ends (token + 1, so every runner is fenced out),
-- NOTIFY pgqrs_done announces each, and whoever awaits one of them is woken. The caller has
-- locked the root's row and checked its state. The tree is found by one recursive query, not by
-- recursion in PL/pgSQL, so its depth does not matter; and it never waits for a lock: a
-- descendant, or a waiter, that another transaction holds right now is recorded in
-- pgqrs.deferred and cancelled (or woken) by the next claim_workflows. So a cancel cannot
-- deadlock with a child finishing at the same time, and a claim that enforces a deadline never
-- waits for another workflow's tree. Locks: the descendants' and waiters' rows, SKIP LOCKED.
create function pgqrs._cancel_tree(p_workflow_id uuid, p_error jsonb, p_now timestamptz)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_tree   uuid[];
    v_done   uuid[];
    v_id     uuid;
begin
    update pgqrs.workflows w
       set status = 'CANCELLED',
           error = p_error,
           lease_owner = null,
           lease_expires_at = null,
           lease_token = w.lease_token + 1,
           finished_at = p_now,
           waiting_for = null,
           updated_at = p_now
     where w.id = p_workflow_id;

    with recursive tree (id) as (
        select c.id from pgqrs.workflows c where c.parent_id = p_workflow_id
        union
        select c.id from pgqrs.workflows c join tree t on c.parent_id = t.id
    )
    select coalesce(pg_catalog.array_agg(t.id), '{}') into v_tree from tree t;

    v_done := array[p_workflow_id];
    if pg_catalog.cardinality(v_tree) > 0 then
        with cancelled as (
            update pgqrs.workflows w
               set status = 'CANCELLED',
                   error = pg_catalog.jsonb_build_object(
                       'type', 'pgqrs.Cancelled',
                       'message', 'its parent workflow ' || w.parent_id::text || ' was cancelled',
                       'traceback', null),
                   lease_owner = null,
                   lease_expires_at = null,
                   lease_token = w.lease_token + 1,
                   finished_at = p_now,
                   waiting_for = null,
                   updated_at = p_now
             where w.id in (select f.id from pgqrs.workflows f
                             where f.id = any (v_tree)
                               and f.status in ('PENDING', 'RUNNING', 'DEAD')
                               for no key update skip locked)
            returning w.id
        )
        select v_done || coalesce(pg_catalog.array_agg(c.id), '{}') into v_done from cancelled c;
        -- Descendants another transaction holds: the next claim cancels them.
        insert into pgqrs.deferred (workflow_id, action, error, created_at)
        select w.id, 'cancel',
               pg_catalog.jsonb_build_object(
                   'type', 'pgqrs.Cancelled',
                   'message', 'its parent workflow ' || w.parent_id::text || ' was cancelled',
                   'traceback', null),
               p_now
          from pgqrs.workflows w
         where w.id = any (v_tree)
           and w.status in ('PENDING', 'RUNNING', 'DEAD')
           and w.id <> all (v_done)
        on conflict do nothing;
        if found then
            perform pg_catalog.pg_notify('pgqrs_work', '*');
        end if;
    end if;

    foreach v_id in array v_done loop
        perform pgqrs._notify('pgqrs_done', 'done:' || v_id::text);
    end loop;
    perform pgqrs._free_slots(v_done);
    perform pgqrs._wake_waiters(
        array(select 'workflow:' || d::text from pg_catalog.unnest(v_done) d), null, p_now, true);
end
$$;
comment on function pgqrs._cancel_tree(uuid, jsonb, timestamptz) is
    'Private. Cancels a workflow and its descendants in set-based statements that never wait.';

-- _apply_deferred(now, limit): applies up to p_limit of the cancels and wake-ups that found
-- their workflow row locked (pgqrs.deferred), oldest first, skipping those whose row is still
-- locked: a cancel cancels the workflow (and its descendants) if it is not final yet; a wake-up
-- makes a workflow that is still suspended available now. claim_workflows calls it first, when
-- the table is not empty. Locks: the deferred rows and the workflow rows, SKIP LOCKED.
create function pgqrs._apply_deferred(p_now timestamptz, p_limit integer)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_item   pgqrs.deferred;
    v_status text;
    v_name   text;
begin
    for v_item in
        select d.* from pgqrs.deferred d
         order by d.created_at
         limit p_limit
           for update skip locked
    loop
        select w.status, w.name into v_status, v_name
          from pgqrs.workflows w where w.id = v_item.workflow_id
           for no key update skip locked;
        if not found then
            if exists (select from pgqrs.workflows w where w.id = v_item.workflow_id) then
                continue;  -- still held by another transaction: next time
            end if;
        elsif v_item.action = 'cancel' and v_status in ('PENDING', 'RUNNING', 'DEAD') then
            perform pgqrs._cancel_tree(v_item.workflow_id, v_item.error, p_now);
        elsif v_item.action = 'wake' then
            update pgqrs.workflows w
               set available_at = p_now, updated_at = p_now
             where w.id = v_item.workflow_id
               and w.status = 'RUNNING'
               and w.lease_owner is null
               and w.waiting_for is not null;
            if found then
                perform pgqrs._notify('pgqrs_work', 'work:' || v_name);
            end if;
        end if;
        delete from pgqrs.deferred d
         where d.workflow_id = v_item.workflow_id and d.action = v_item.action;
    end loop;
end
$$;
comment on function pgqrs._apply_deferred(timestamptz, integer) is
    'Private. Applies the deferred cancels and wake-ups whose workflow row is free now.';

-- cancel_workflow(workflow_id, reason) -> cancelled
-- Cancels a PENDING, RUNNING or DEAD workflow: CANCELLED, with error {"type":
-- "pgqrs.Cancelled", "message": reason}, its lease ended and its token moved on, so a runner
-- still running it gets PQ011 at its next step, heartbeat or outcome and starts nothing more.
-- NOTIFY pgqrs_done. Returns true. On a workflow that is already SUCCESS, FAILED or CANCELLED it
-- changes nothing and returns false. A workflow past its deadline is recorded as cancelled by
-- its deadline (pgqrs.DeadlineExceeded) whatever the reason. Its descendants that are not final
-- are cancelled too, and whoever awaits one of them is woken (see _cancel_tree: a descendant or
-- waiter that another transaction holds is cancelled or woken by the next claim, so a cancel
-- never waits for, nor deadlocks with, a child that is finishing).
-- Locks: the workflow row, then its descendants' and waiters' rows (SKIP LOCKED).
-- Errors: PQ001, PQ008 (NULL id, reason over 1000 characters).
create function pgqrs.cancel_workflow(p_workflow_id uuid, p_reason text default null)
returns boolean
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now timestamptz := pgqrs.now();
    v_wf  pgqrs.workflows;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_id('workflow id', p_workflow_id);
    if pg_catalog.length(p_reason) > 1000 then
        raise exception 'pgqrs: cancel reason is longer than 1000 characters'
            using errcode = 'PQ008';
    end if;
    select * into v_wf from pgqrs.workflows w where w.id = p_workflow_id for no key update;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    if v_wf.status in ('SUCCESS', 'FAILED', 'CANCELLED') then
        return false;
    end if;
    if v_wf.deadline_at <= v_now then
        perform pgqrs._cancel_tree(p_workflow_id, pgqrs._deadline_error(v_wf.deadline_at), v_now);
    else
        perform pgqrs._cancel_tree(
            p_workflow_id,
            pg_catalog.jsonb_build_object(
                'type', 'pgqrs.Cancelled',
                'message', coalesce(p_reason, 'cancelled'),
                'traceback', null),
            v_now);
    end if;
    return true;
end
$$;
comment on function pgqrs.cancel_workflow(uuid, text) is
    'Cancels a workflow that is not final (true); a final one is left alone (false).';

-- resume_workflow(workflow_id)
-- Runs a FAILED, DEAD or CANCELLED workflow again from where it stopped: RUNNING with no lease,
-- queued and available now (NOTIFY pgqrs_work), its error cleared, recoveries and workflow
-- attempts counted afresh, its deadline removed. Completed steps stay completed; FAILED steps
-- become RETRYING with a fresh attempt budget.
-- It also hands an abandoned inline run to the workers: a RUNNING workflow that is not queued
-- (its creator ran it with acquire_workflow) and whose lease has expired or was released is
-- queued and available now, its token moved on (so the runner that abandoned it is fenced out);
-- nothing else about it changes. Locks: the workflow row, then its FAILED step rows.
-- Errors: PQ001, PQ005 (PENDING, SUCCESS, queued RUNNING, or an inline run whose lease is still
-- live), PQ008 (NULL id).
create function pgqrs.resume_workflow(p_workflow_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now    timestamptz := pgqrs.now();
    v_wf     pgqrs.workflows;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_id('workflow id', p_workflow_id);
    select * into v_wf from pgqrs.workflows w where w.id = p_workflow_id for no key update;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    if v_wf.status = 'RUNNING' and not v_wf.queued
       and (v_wf.lease_owner is null or v_wf.lease_expires_at <= v_now) then
        update pgqrs.workflows w
           set lease_owner = null,
               lease_expires_at = null,
               lease_token = w.lease_token + 1,
               queued = true,
               available_at = v_now,
               updated_at = v_now
         where w.id = p_workflow_id;
        perform pgqrs._note_queue(v_wf.queue, v_wf.name, v_wf.concurrency_key);
        perform pgqrs._notify('pgqrs_work', 'work:' || v_wf.name);
        return;
    end if;
    if v_wf.status not in ('FAILED', 'DEAD', 'CANCELLED') then
        raise exception 'pgqrs: workflow % is %; only FAILED, DEAD or CANCELLED ones, or an '
                        'abandoned inline run, resume',
            p_workflow_id,
            v_wf.status
            || case when v_wf.status = 'RUNNING' and v_wf.queued then ' (queued for workers)'
                    when v_wf.status = 'RUNNING' then ' (its runner''s lease is live)'
                    else '' end
            using errcode = 'PQ005';
    end if;
    update pgqrs.workflows w
       set status = 'RUNNING',
           output = null,
           error = null,
           lease_owner = null,
           lease_expires_at = null,
           lease_token = w.lease_token + 1,
           finished_at = null,
           recoveries = 0,
           attempt = 1,
           deadline_at = null,
           waiting_for = null,
           queued = true,
           available_at = v_now,
           updated_at = v_now
     where w.id = p_workflow_id;
    perform pgqrs._retry_failed_steps(p_workflow_id, v_now);
    -- Its concurrency key may have been dropped while it was final (_claim_keys).
    perform pgqrs._note_queue(v_wf.queue, v_wf.name, v_wf.concurrency_key);
    perform pgqrs._notify('pgqrs_work', 'work:' || v_wf.name);
end
$$;
comment on function pgqrs.resume_workflow(uuid) is
    'Runs a FAILED, DEAD or CANCELLED workflow again (failed steps get a fresh attempt budget), '
    'or hands an abandoned inline run to the workers.';

-- revive_workflow(workflow_id)
-- Brings a DEAD workflow back: RUNNING with no lease, recoveries reset to 0, the crash-loop error
-- cleared, queued and available now (NOTIFY pgqrs_work), so a worker resumes it from its last
-- finished step. Locks: the workflow row. Errors: PQ001, PQ005 (the workflow is not DEAD),
-- PQ008 (NULL id).
create function pgqrs.revive_workflow(p_workflow_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now    timestamptz := pgqrs.now();
    v_status text;
    v_name   text;
    v_queue  text;
    v_key    text;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_id('workflow id', p_workflow_id);
    select w.status, w.name, w.queue, w.concurrency_key into v_status, v_name, v_queue, v_key
      from pgqrs.workflows w where w.id = p_workflow_id for no key update;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    if v_status <> 'DEAD' then
        raise exception 'pgqrs: workflow % is %, not DEAD', p_workflow_id, v_status
            using errcode = 'PQ005';
    end if;
    update pgqrs.workflows w
       set status = 'RUNNING', error = null, recoveries = 0, queued = true,
           available_at = v_now, updated_at = v_now
     where w.id = p_workflow_id;
    perform pgqrs._note_queue(v_queue, v_name, v_key);
    perform pgqrs._notify('pgqrs_work', 'work:' || v_name);
end
$$;
comment on function pgqrs.revive_workflow(uuid) is
    'Brings a DEAD (crash-looping) workflow back to the queue with a fresh recovery budget.';

-- _run_order(workflow_id) -> (step_key, rank): the steps of a workflow in the order its run
-- called them, ranked 1, 2, ...: by recorded position; a step recorded without one (by a 0.1.0
-- call) comes right after the positioned steps that started before it (then by start time and
-- key), so a run that mixes 0.1.0 and later calls keeps its order. Reads the steps; no locks.
create function pgqrs._run_order(p_workflow_id uuid)
returns table (step_key text, rank bigint)
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
    select o.step_key,
           pg_catalog.row_number() over (order by o.run_key, o.started_at, o.step_key)
      from (select s.step_key, s.started_at,
                   coalesce(s.position::numeric,
                            coalesce(pg_catalog.max(s.position) over (
                                         order by s.started_at, s.step_key
                                         rows between unbounded preceding and current row),
                                     0) + 0.5) as run_key
              from pgqrs.steps s
             where s.workflow_id = p_workflow_id) o
$$;
comment on function pgqrs._run_order(uuid) is
    'Private. The steps of a workflow ranked in run order (positions, then start times).';

-- fork_workflow(workflow_id, from_step, id) -> new workflow id
-- A new workflow (id p_id, or a new v7 id) with the same name, input and policies, queued for
-- workers now (NOTIFY pgqrs_work), whose steps before p_from_step keep their recorded outcome:
-- the SUCCESS and FAILED steps that the source ran before it, in run order, are copied as they
-- are (status, values, position, kind, policy and timeout, so a copied sleep, receive, await or
-- event replays as the wait step it was), and so are the events those set_event steps published
-- (their latest values); p_from_step and everything after run again. Run order
-- is the recorded position; a step recorded without one (by a 0.1.0 call) comes after the
-- positioned steps that started before it. p_from_step NULL copies nothing (a fresh run of the
-- same input). forked_from names the source, which is not changed. Repeating the call with the
-- same p_id returns the same fork. Locks: the new row; reads the source. Errors: PQ001, PQ006
-- (p_id names another workflow), PQ008 (NULL id; the source has no step p_from_step).
create function pgqrs.fork_workflow(
    p_workflow_id uuid,
    p_from_step   text default null,
    p_id          uuid default null
)
returns uuid
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now    timestamptz := pgqrs.now();
    v_src    pgqrs.workflows;
    v_id     uuid := coalesce(p_id, pgqrs._uuid_v7());
    v_rank   bigint;
    v_other  pgqrs.workflows;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_id('workflow id', p_workflow_id);
    select * into v_src from pgqrs.workflows w where w.id = p_workflow_id;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    if p_from_step is not null then
        select r.rank into v_rank
          from pgqrs._run_order(p_workflow_id) r
         where r.step_key = p_from_step;
        if not found then
            raise exception 'pgqrs: workflow % has no step %', p_workflow_id, p_from_step
                using errcode = 'PQ008';
        end if;
    end if;

    insert into pgqrs.workflows (id, name, input, created_at, updated_at, queued, available_at,
                                 max_recoveries, max_attempts, retry_backoff, retry_max_backoff,
                                 forked_from, queue, priority, concurrency_key)
    values (v_id, v_src.name, v_src.input, v_now, v_now, true, v_now, v_src.max_recoveries,
            v_src.max_attempts, v_src.retry_backoff, v_src.retry_max_backoff, p_workflow_id,
            v_src.queue, v_src.priority, v_src.concurrency_key)
    on conflict do nothing;
    if not found then
        select * into v_other from pgqrs.workflows w where w.id = v_id;
        if v_other.forked_from is distinct from p_workflow_id then
            raise exception 'pgqrs: workflow % already exists and is not a fork of %',
                v_id, p_workflow_id
                using errcode = 'PQ006';
        end if;
        return v_id;
    end if;

    if p_from_step is not null then
        insert into pgqrs.steps (workflow_id, step_key, status, output, error, attempt,
                                 lease_token, started_at, finished_at, position, owner,
                                 attempt_started_at, policy, timeout_at, kind)
        select v_id, s.step_key, s.status, s.output, s.error, s.attempt, 0, s.started_at,
               s.finished_at, s.position, s.owner, s.attempt_started_at, s.policy, s.timeout_at,
               s.kind
          from pgqrs._run_order(p_workflow_id) r
          join pgqrs.steps s on s.workflow_id = p_workflow_id and s.step_key = r.step_key
         where r.rank < v_rank
           and s.status in ('SUCCESS', 'FAILED');
        -- The events those steps published (a set_event step records {"key": ...}), so that the
        -- fork reads as the source did when it got there.
        insert into pgqrs.events (workflow_id, key, value, set_at)
        select v_id, e.key, e.value, e.set_at
          from pgqrs.events e
         where e.workflow_id = p_workflow_id
           and e.key in (select s.output ->> 'key' from pgqrs.steps s
                          where s.workflow_id = v_id and s.kind = 'wait' and s.output ? 'key');
    end if;
    perform pgqrs._note_queue(v_src.queue, v_src.name, v_src.concurrency_key);
    perform pgqrs._notify('pgqrs_work', 'work:' || v_src.name);
    return v_id;
end
$$;
comment on function pgqrs.fork_workflow(uuid, text, uuid) is
    'Copies a workflow into a new queued one that re-runs from a given step on.';
