-- Step retries: failed attempts, the retry policy, the backoff.

-- _record_attempt(workflow_id, step_key, attempt, error, owner, started_at, finished_at): adds a
-- failed attempt to step_attempts; a repeat of the same attempt is a no-op.
create function pgqrs._record_attempt(
    p_workflow_id uuid,
    p_step_key    text,
    p_attempt     integer,
    p_error       jsonb,
    p_owner       text,
    p_started_at  timestamptz,
    p_finished_at timestamptz
)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    insert into pgqrs.step_attempts (workflow_id, step_key, attempt, error, owner, started_at,
                                     finished_at)
    values (p_workflow_id, p_step_key, p_attempt, p_error, p_owner, p_started_at, p_finished_at)
    on conflict do nothing;
end
$$;
comment on function pgqrs._record_attempt(uuid, text, integer, jsonb, text, timestamptz, timestamptz) is
    'Private. Records one failed attempt of a step in step_attempts (idempotent).';

-- _retry_delay(n, backoff, max_backoff) -> seconds before attempt n + 1, after n failed ones:
-- d = min(max_backoff, backoff * 2^(n - 1)), then "equal jitter": d/2 + random() * d/2, so the
-- delay grows exponentially, never exceeds max_backoff, and retries of many workflows spread out.
create function pgqrs._retry_delay(
    p_failures    integer,
    p_backoff     double precision,
    p_max_backoff double precision
)
returns double precision
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_delay double precision;
begin
    v_delay := least(p_max_backoff,
                     p_backoff * pg_catalog.power(2::float8, least(greatest(p_failures, 1) - 1, 60)));
    return v_delay / 2 + pg_catalog.random() * v_delay / 2;
end
$$;
comment on function pgqrs._retry_delay(integer, double precision, double precision) is
    'Private. Exponential backoff with equal jitter, capped at max_backoff.';

-- _check_policy(max_attempts, backoff, max_backoff): raises PQ008 unless 1 <= max_attempts <=
-- 1000 and 0 < backoff <= max_backoff <= 31 days (NULL, NaN and Infinity fail).
create function pgqrs._check_policy(
    p_max_attempts integer,
    p_backoff      double precision,
    p_max_backoff  double precision
)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_max_attempts is null or p_max_attempts < 1 or p_max_attempts > 1000 then
        raise exception 'pgqrs: max attempts must be between 1 and 1000, got %',
            coalesce(p_max_attempts::text, 'NULL')
            using errcode = 'PQ008';
    end if;
    if p_backoff is null or p_max_backoff is null or not (p_backoff > 0)
       or not (p_max_backoff >= p_backoff) or p_max_backoff > 2678400 then
        raise exception 'pgqrs: retry backoff must satisfy 0 < backoff <= max backoff <= 2678400 '
                        'seconds, got % and %',
            coalesce(p_backoff::text, 'NULL'), coalesce(p_max_backoff::text, 'NULL')
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_policy(integer, double precision, double precision) is
    'Private. Raises PQ008 unless a retry policy is in range.';

-- _fail_attempt(step, error, retryable, owner, token, now) -> retry delay in seconds, or NULL
-- The one decision after a failed attempt of the RUNNING step p_step (fail_step_attempt, and
-- begin_step for an attempt that timed out): records the attempt in step_attempts (by p_owner),
-- then applies the policy begin_step stored. When p_retryable and fewer than max_attempts
-- attempts failed since the step's last fresh budget, the step becomes RETRYING, due after
-- _retry_delay, and the delay is returned; otherwise it is FAILED for good and NULL is returned.
-- The step row keeps p_error as its error and p_token as its token. The caller holds its lock.
create function pgqrs._fail_attempt(
    p_step      pgqrs.steps,
    p_error     jsonb,
    p_retryable boolean,
    p_owner     text,
    p_token     bigint,
    p_now       timestamptz
)
returns double precision
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_failed integer := p_step.attempt - p_step.retry_base;
    v_delay  double precision;
begin
    perform pgqrs._record_attempt(p_step.workflow_id, p_step.step_key, p_step.attempt, p_error,
                                  p_owner, p_step.attempt_started_at, p_now);
    if p_retryable and v_failed < coalesce((p_step.policy ->> 'max_attempts')::integer, 1) then
        v_delay := pgqrs._retry_delay(v_failed, (p_step.policy ->> 'backoff')::float8,
                                      (p_step.policy ->> 'max_backoff')::float8);
    end if;
    update pgqrs.steps s
       set status = case when v_delay is null then 'FAILED' else 'RETRYING' end,
           error = p_error,
           lease_token = p_token,
           finished_at = p_now,
           retry_at = p_now + v_delay * interval '1 second'
     where s.workflow_id = p_step.workflow_id and s.step_key = p_step.step_key;
    return v_delay;
end
$$;
comment on function pgqrs._fail_attempt(pgqrs.steps, jsonb, boolean, text, bigint, timestamptz) is
    'Private. Records a failed attempt and retries the step (its delay) or fails it (NULL).';

-- _retry_failed_steps(workflow_id, now): gives every FAILED step of the workflow a fresh attempt
-- budget: RETRYING, due now, counting attempts from here. Its error stays for the record.
create function pgqrs._retry_failed_steps(p_workflow_id uuid, p_now timestamptz)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    update pgqrs.steps s
       set status = 'RETRYING', retry_at = p_now, retry_base = s.attempt
     where s.workflow_id = p_workflow_id
       and s.status = 'FAILED';
end
$$;
comment on function pgqrs._retry_failed_steps(uuid, timestamptz) is
    'Private. Turns the FAILED steps of a workflow into RETRYING ones with a fresh budget.';

-- fail_step_attempt(workflow_id, step_key, token, error, retryable) -> (status, attempt, retry_in)
-- Records a failed attempt of a RUNNING step (in step_attempts, and as the step's error), then
-- applies the policy begin_step stored: when p_retryable and fewer than max_attempts attempts
-- failed since the step's last fresh budget, the step becomes RETRYING and is due in retry_in
-- seconds (_retry_delay); otherwise it is FAILED for good (retry_in 0). Extends the lease, in one
-- durable commit. Idempotent: a repeat with the same error returns the same answer. The error is
-- stored like fail_step's. Locks: the workflow row, then the step row.
-- Errors: PQ001, PQ003, PQ005 (the step is not RUNNING and this is no repeat), PQ008 (NULL id,
-- token, error or retryable; a step key that is blank, over 512 characters or starts with '#'),
-- PQ011.
create function pgqrs.fail_step_attempt(
    p_workflow_id uuid,
    p_step_key    text,
    p_token       bigint,
    p_error       jsonb,
    p_retryable   boolean default true
)
returns table (status text, attempt integer, retry_in double precision)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now   timestamptz := pgqrs.now();
    v_error jsonb;
    v_owner text;
    v_step  pgqrs.steps;
    v_delay double precision;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_step_key(p_step_key);
    v_error := pgqrs._error_object(p_error);
    if p_retryable is null then
        raise exception 'pgqrs: retryable must not be null' using errcode = 'PQ008';
    end if;

    update pgqrs.workflows w
       set lease_expires_at = v_now + w.lease_timeout
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > v_now)
    returning w.lease_owner into v_owner;
    if not found then
        perform pgqrs._raise_lease_error(p_workflow_id, p_token);
    end if;

    insert into pgqrs.steps as s (workflow_id, step_key, status, attempt, lease_token, started_at,
                                  owner, attempt_started_at)
    values (p_workflow_id, p_step_key, 'RUNNING', 1, p_token, v_now, v_owner, v_now)
    on conflict (workflow_id, step_key) do nothing;
    select * into v_step from pgqrs.steps s
     where s.workflow_id = p_workflow_id and s.step_key = p_step_key
       for update;

    if v_step.status <> 'RUNNING' then
        if v_step.status in ('RETRYING', 'FAILED') and v_step.error is not distinct from v_error
           and v_step.lease_token = p_token then
            return query select v_step.status, v_step.attempt,
                                greatest(0, coalesce(extract(epoch from v_step.retry_at - v_now)::float8, 0));
            return;
        end if;
        raise exception 'pgqrs: step % of workflow % is %, not RUNNING', p_step_key, p_workflow_id,
            v_step.status
            using errcode = 'PQ005';
    end if;

    v_delay := pgqrs._fail_attempt(v_step, v_error, p_retryable, v_owner, p_token, v_now);
    if v_delay is null then
        return query select 'FAILED'::text, v_step.attempt, 0::float8;
    else
        return query select 'RETRYING'::text, v_step.attempt, v_delay;
    end if;
end
$$;
comment on function pgqrs.fail_step_attempt(uuid, text, bigint, jsonb, boolean) is
    'Records a failed step attempt and schedules a retry (RETRYING) or fails the step (FAILED).';
