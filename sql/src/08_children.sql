-- Child workflows: a parent waits for a child as a recorded wait step.

-- await_workflow(workflow_id, step_key, token, position, other_id, timeout_seconds,
--                inline_seconds) -> (status, outcome, remaining)
-- Waits, as a wait step of the caller's run, for another workflow (typically a child started
-- with submit_workflow's parent_id) to finish: SUCCESS, FAILED, CANCELLED or DEAD. status:
--   DONE       it finished: outcome is {"status", "output", "error"}, recorded on the step
--   TIMEOUT    p_timeout_seconds passed first: recorded as {"timeout": true}
--   WAIT       not yet, the deadline is within p_inline_seconds: poll in process
--   SUSPENDED  not yet: the lease is given up; the other workflow finishing (or the deadline)
--              makes this one available again, so a parent never holds a worker its child needs
-- Durable commit. Locks: the caller's workflow row, then its step row, then the other row FOR
-- SHARE (a finishing workflow locks itself, then its waiters: the two may deadlock, which
-- PostgreSQL breaks by failing one with 40P01, and a client retries it).
-- Errors: PQ001 (either workflow), PQ003, PQ005, PQ008 (NULL id, token or p_other_id;
-- p_other_id = p_workflow_id; a bad step key or position as in sleep_step; p_timeout_seconds
-- not in [0, 315360000]; p_inline_seconds not in [0, 3600]), PQ010, PQ011.
create function pgqrs.await_workflow(
    p_workflow_id     uuid,
    p_step_key        text,
    p_token           bigint,
    p_position        integer,
    p_other_id        uuid,
    p_timeout_seconds double precision default null,
    p_inline_seconds  double precision default 0
)
returns table (status text, outcome jsonb, remaining double precision)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now   timestamptz := pgqrs.now();
    v_step  pgqrs.steps;
    v_other pgqrs.workflows;
    v_out   jsonb;
    v_more  record;
begin
    perform pgqrs._check_wait_seconds('await timeout', p_timeout_seconds);
    perform pgqrs._check_inline_seconds(p_inline_seconds);
    perform pgqrs._check_id('workflow to await', p_other_id);
    if p_other_id = p_workflow_id then
        raise exception 'pgqrs: workflow % cannot await itself', p_workflow_id
            using errcode = 'PQ008';
    end if;
    v_step := pgqrs._wait_step(p_workflow_id, p_step_key, p_token, p_position,
                               v_now + p_timeout_seconds * interval '1 second');
    if v_step.status = 'SUCCESS' then
        if v_step.output ? 'timeout' then
            return query select 'TIMEOUT'::text, null::jsonb, 0::float8;
        else
            return query select 'DONE'::text, v_step.output, 0::float8;
        end if;
        return;
    end if;
    -- FOR SHARE waits for a transaction that is finishing the other workflow right now, so its
    -- wake-up cannot pass by before this one is recorded as waiting (nor after: that finishing
    -- transaction then waits for this one, and sees the waiter).
    select * into v_other from pgqrs.workflows w where w.id = p_other_id for share;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_other_id);
    end if;
    if v_other.status in ('SUCCESS', 'FAILED', 'CANCELLED', 'DEAD') then
        v_out := pg_catalog.jsonb_build_object(
            'status', v_other.status, 'output', v_other.output, 'error', v_other.error);
        perform pgqrs._end_wait(p_workflow_id, p_step_key, v_out);
        return query select 'DONE'::text, v_out, 0::float8;
        return;
    end if;
    if v_step.timeout_at <= v_now then
        perform pgqrs._end_wait(p_workflow_id, p_step_key, '{"timeout": true}'::jsonb);
        return query select 'TIMEOUT'::text, null::jsonb, 0::float8;
        return;
    end if;
    select * into v_more
      from pgqrs._wait_more(p_workflow_id, v_step.timeout_at, 'workflow:' || p_other_id::text,
                            p_inline_seconds) m;
    return query select v_more.status, null::jsonb, v_more.remaining;
end
$$;
comment on function pgqrs.await_workflow(uuid, text, bigint, integer, uuid, double precision,
                                         double precision) is
    'Waits for another workflow to finish, as a recorded wait step that frees the worker.';
