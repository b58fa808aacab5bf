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

-- _cancel(workflow_id, error, now): makes a PENDING, RUNNING or DEAD workflow CANCELLED with
-- p_error as its error, ends any lease (token + 1, so its runner is fenced out) and announces it
-- with NOTIFY pgqrs_done; wakes whoever awaits it; then cancels its children that are not final,
-- recursively. The caller has locked the row and checked the state. Locks: the children's rows,
-- in id order, and the rows of workflows waiting for it.
create function pgqrs._cancel(p_workflow_id uuid, p_error jsonb, p_now timestamptz)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_child uuid;
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
    perform pg_catalog.pg_notify('pgqrs_done', p_workflow_id::text);
    perform pgqrs._wake_waiters('workflow:' || p_workflow_id::text, null, p_now);
    for v_child in
        select c.id from pgqrs.workflows c
         where c.parent_id = p_workflow_id
           and c.status in ('PENDING', 'RUNNING', 'DEAD')
         order by c.id
           for no key update
    loop
        perform pgqrs._cancel(
            v_child,
            pg_catalog.jsonb_build_object(
                'type', 'pgqrs.Cancelled',
                'message', 'its parent workflow ' || p_workflow_id::text || ' was cancelled',
                'traceback', null),
            p_now);
    end loop;
end
$$;
comment on function pgqrs._cancel(uuid, jsonb, timestamptz) is
    'Private. Moves a workflow to CANCELLED, fences its runner and announces it.';

-- cancel_workflow(workflow_id, reason) -> cancelled
-- Cancels a PENDING, RUNNING or DEAD workflow: CANCELLED, with error {"type":
-- "pgqrs.Cancelled", "message": reason}, its lease ended and its token moved on, so a runner
-- still running it gets PQ011 at its next step, heartbeat or outcome and starts nothing more.
-- NOTIFY pgqrs_done. Returns true. On a workflow that is already SUCCESS, FAILED or CANCELLED it
-- changes nothing and returns false. A workflow past its deadline is recorded as cancelled by
-- its deadline (pgqrs.DeadlineExceeded) whatever the reason. Its children that are not final
-- are cancelled too, recursively, and whoever awaits it is woken (see _cancel).
-- Locks: the workflow row, then its waiters' rows, then its children's rows (in id order).
-- Errors: PQ001, PQ008 (reason over 1000 characters).
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
    if pg_catalog.length(p_reason) > 1000 then
        raise exception 'pgqrs: cancel reason is longer than 1000 characters'
            using errcode = 'PQ008';
    end if;
    select * into v_wf from pgqrs.workflows w where w.id = p_workflow_id for no key update;
    if not found then
        raise exception 'pgqrs: workflow % does not exist', p_workflow_id
            using errcode = 'PQ001';
    end if;
    if v_wf.status in ('SUCCESS', 'FAILED', 'CANCELLED') then
        return false;
    end if;
    if v_wf.deadline_at <= v_now then
        perform pgqrs._cancel(p_workflow_id, pgqrs._deadline_error(v_wf.deadline_at), v_now);
    else
        perform pgqrs._cancel(
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
-- become RETRYING with a fresh attempt budget. Locks: the workflow row, then its FAILED step
-- rows. Errors: PQ001, PQ005 (PENDING, RUNNING or SUCCESS).
create function pgqrs.resume_workflow(p_workflow_id uuid)
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
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    select w.status, w.name into v_status, v_name
      from pgqrs.workflows w where w.id = p_workflow_id for no key update;
    if not found then
        raise exception 'pgqrs: workflow % does not exist', p_workflow_id
            using errcode = 'PQ001';
    end if;
    if v_status not in ('FAILED', 'DEAD', 'CANCELLED') then
        raise exception 'pgqrs: workflow % is %; only FAILED, DEAD or CANCELLED ones resume',
            p_workflow_id, v_status
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
    perform pg_catalog.pg_notify('pgqrs_work', v_name);
end
$$;
comment on function pgqrs.resume_workflow(uuid) is
    'Runs a FAILED, DEAD or CANCELLED workflow again; failed steps get a fresh attempt budget.';

-- revive_workflow(workflow_id)
-- Brings a DEAD workflow back: RUNNING with no lease, recoveries reset to 0, the crash-loop error
-- cleared, queued and available now (NOTIFY pgqrs_work), so a worker resumes it from its last
-- finished step. Locks: the workflow row. Errors: PQ001, PQ005 (the workflow is not DEAD).
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
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    select w.status, w.name into v_status, v_name
      from pgqrs.workflows w where w.id = p_workflow_id for no key update;
    if not found then
        raise exception 'pgqrs: workflow % does not exist', p_workflow_id
            using errcode = 'PQ001';
    end if;
    if v_status <> 'DEAD' then
        raise exception 'pgqrs: workflow % is %, not DEAD', p_workflow_id, v_status
            using errcode = 'PQ005';
    end if;
    update pgqrs.workflows w
       set status = 'RUNNING', error = null, recoveries = 0, queued = true,
           available_at = v_now, updated_at = v_now
     where w.id = p_workflow_id;
    perform pg_catalog.pg_notify('pgqrs_work', v_name);
end
$$;
comment on function pgqrs.revive_workflow(uuid) is
    'Brings a DEAD (crash-looping) workflow back to the queue with a fresh recovery budget.';

-- fork_workflow(workflow_id, from_step, id) -> new workflow id
-- A new workflow (id p_id, or a new v7 id) with the same name, input and policies, queued for
-- workers now (NOTIFY pgqrs_work), whose steps before p_from_step keep their recorded outcome:
-- the SUCCESS and FAILED steps that the source ran before it, in run order (position, or start
-- time for steps recorded without one), are copied; p_from_step and everything after run again.
-- p_from_step NULL copies nothing (a fresh run of the same input). forked_from names the source,
-- which is not changed. Repeating the call with the same p_id returns the same fork. Locks: the
-- new row; reads the source. Errors: PQ001, PQ006 (p_id names another workflow), PQ008 (the
-- source has no step p_from_step).
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
    select * into v_src from pgqrs.workflows w where w.id = p_workflow_id;
    if not found then
        raise exception 'pgqrs: workflow % does not exist', p_workflow_id
            using errcode = 'PQ001';
    end if;
    if p_from_step is not null then
        select r.rank into v_rank
          from (select s.step_key,
                       pg_catalog.row_number() over (
                           order by s.position nulls last, s.started_at, s.step_key) as rank
                  from pgqrs.steps s
                 where s.workflow_id = p_workflow_id) r
         where r.step_key = p_from_step;
        if not found then
            raise exception 'pgqrs: workflow % has no step %', p_workflow_id, p_from_step
                using errcode = 'PQ008';
        end if;
    end if;

    insert into pgqrs.workflows (id, name, input, created_at, updated_at, queued, available_at,
                                 max_recoveries, max_attempts, retry_backoff, retry_max_backoff,
                                 forked_from)
    values (v_id, v_src.name, v_src.input, v_now, v_now, true, v_now, v_src.max_recoveries,
            v_src.max_attempts, v_src.retry_backoff, v_src.retry_max_backoff, p_workflow_id)
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
                                 attempt_started_at)
        select v_id, r.step_key, r.status, r.output, r.error, r.attempt, 0, r.started_at,
               r.finished_at, coalesce(r.position, r.rank::integer), r.owner,
               r.attempt_started_at
          from (select s.*,
                       pg_catalog.row_number() over (
                           order by s.position nulls last, s.started_at, s.step_key) as rank
                  from pgqrs.steps s
                 where s.workflow_id = p_workflow_id) r
         where r.rank < v_rank
           and r.status in ('SUCCESS', 'FAILED');
    end if;
    perform pg_catalog.pg_notify('pgqrs_work', v_src.name);
    return v_id;
end
$$;
comment on function pgqrs.fork_workflow(uuid, text, uuid) is
    'Copies a workflow into a new queued one that re-runs from a given step on.';
