-- Steps: starting one (begin_step, acquire_step), recording its outcome (record_step,
-- complete_step, fail_step), and the replay guard.

-- _check_position(workflow_id, step_key, position, recorded): the replay guard. Raises PQ010
-- when step p_step_key, called at p_position, was recorded at another position (p_recorded), or,
-- for a key recorded without a position (p_recorded NULL: new, or from a 0.1.0 call), when
-- another step is recorded at p_position in this workflow.
create function pgqrs._check_position(
    p_workflow_id uuid,
    p_step_key    text,
    p_position    integer,
    p_recorded    integer
)
returns void
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_other text;
begin
    if p_recorded is not null then
        if p_recorded <> p_position then
            raise exception 'pgqrs: workflow % code changed: step % is called at position %, '
                            'but was recorded at position %',
                p_workflow_id, p_step_key, p_position, p_recorded
                using errcode = 'PQ010',
                      detail = pg_catalog.jsonb_build_object(
                          'position', p_position, 'called', p_step_key,
                          'recorded_position', p_recorded)::text,
                      hint = 'Finish or cancel runs of the old code before deploying a change '
                             'to the order of steps, or give the new code a new workflow name.';
        end if;
        return;
    end if;
    select s.step_key into v_other from pgqrs.steps s
     where s.workflow_id = p_workflow_id and s.position = p_position
       and s.step_key <> p_step_key;
    if found then
        raise exception 'pgqrs: workflow % code changed: step % is at position %, where the '
                        'recorded run has step %', p_workflow_id, p_step_key, p_position, v_other
            using errcode = 'PQ010',
                  detail = pg_catalog.jsonb_build_object(
                      'position', p_position, 'called', p_step_key, 'recorded', v_other)::text,
                  hint = 'Finish or cancel runs of the old code before deploying a change to '
                         'the order of steps, or give the new code a new workflow name.';
    end if;
end
$$;
comment on function pgqrs._check_position(uuid, text, integer, integer) is
    'Private. The replay guard: PQ010 when the step or its position was recorded otherwise.';

-- _share_lease(workflow_id, token, now) -> owner
-- For a step write that found nothing to write: locks the workflow row FOR SHARE when p_token is
-- its current token (RUNNING, within its deadline) and returns the lease owner; otherwise raises
-- through _raise_lease_error. Held to the end of the transaction, the lock makes a takeover (which
-- updates the row) wait for this transaction, so what the caller writes next is never a fenced
-- runner's write. FOR SHARE is never upgraded here, so two step calls at once cannot deadlock.
create function pgqrs._share_lease(p_workflow_id uuid, p_token bigint, p_now timestamptz)
returns text
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_owner text;
begin
    select w.lease_owner into v_owner
      from pgqrs.workflows w
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > p_now)
       for share;
    if not found then
        perform pgqrs._raise_lease_error(p_workflow_id, p_token);
    end if;
    return v_owner;
end
$$;
comment on function pgqrs._share_lease(uuid, bigint, timestamptz) is
    'Private. Locks the workflow row FOR SHARE for the holder of a current token (else raises).';

-- _write_outcome(workflow_id, step_key, token, status, output, error, owner, position, now):
-- the step-row half of recording an outcome, for a caller that has verified the token and locked
-- the workflow row (_finish_step, record_step). Writes the outcome to a RUNNING step row, or
-- creates the row when there is none; a row without a position gets p_position (NULL: leave
-- it). A SUCCESS after the step's timeout raises PQ012. A FAILED outcome is also recorded in
-- step_attempts. A repeat of the same outcome is a no-op; any other write to a final, RETRYING
-- or WAITING step raises PQ005. Locks: the step row.
create function pgqrs._write_outcome(
    p_workflow_id uuid,
    p_step_key    text,
    p_token       bigint,
    p_status      text,
    p_output      jsonb,
    p_error       jsonb,
    p_owner       text,
    p_position    integer,
    p_now         timestamptz
)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_attempt integer;
    v_started timestamptz;
    v_status  text;
    v_output  jsonb;
    v_error   jsonb;
    v_timeout timestamptz;
begin
    insert into pgqrs.steps as s (workflow_id, step_key, status, output, error, attempt,
                                  lease_token, started_at, finished_at, owner, attempt_started_at,
                                  position)
    values (p_workflow_id, p_step_key, p_status, p_output, p_error, 1, p_token, p_now, p_now,
            p_owner, p_now, p_position)
    on conflict (workflow_id, step_key) do update
       set status = excluded.status,
           output = excluded.output,
           error = excluded.error,
           lease_token = excluded.lease_token,
           finished_at = excluded.finished_at,
           owner = excluded.owner,
           position = coalesce(s.position, excluded.position)
     where s.status = 'RUNNING'
       and (excluded.status <> 'SUCCESS' or s.timeout_at is null or s.timeout_at > p_now)
    returning s.attempt, s.attempt_started_at into v_attempt, v_started;
    if found then
        if p_status = 'FAILED' then
            perform pgqrs._record_attempt(p_workflow_id, p_step_key, v_attempt, p_error, p_owner,
                                          v_started, p_now);
        end if;
        return;
    end if;

    select s.status, s.output, s.error, s.timeout_at into v_status, v_output, v_error, v_timeout
      from pgqrs.steps s
     where s.workflow_id = p_workflow_id and s.step_key = p_step_key;
    if v_status = 'RUNNING' then
        raise exception 'pgqrs: step % of workflow % timed out at %', p_step_key, p_workflow_id,
            v_timeout
            using errcode = 'PQ012',
                  hint = 'Record the failed attempt with pgqrs.fail_step_attempt.';
    end if;
    if v_status = p_status
       and v_output is not distinct from p_output
       and v_error is not distinct from p_error then
        return;
    end if;
    raise exception 'pgqrs: step % of workflow % is already %', p_step_key, p_workflow_id, v_status
        using errcode = 'PQ005';
end
$$;
comment on function pgqrs._write_outcome(uuid, text, bigint, text, jsonb, jsonb, text, integer,
                                         timestamptz) is
    'Private. Writes a step outcome to its row (the caller holds the workflow row); idempotent.';

-- _finish_step(workflow_id, step_key, token, status, output, error): records a step outcome for
-- the holder of this token (the caller has checked the key and the value). Extends the lease,
-- which also verifies the token and the deadline and locks the workflow row, then writes the
-- step row with _write_outcome. Locks: the workflow row, then the step row.
create function pgqrs._finish_step(
    p_workflow_id uuid,
    p_step_key    text,
    p_token       bigint,
    p_status      text,
    p_output      jsonb,
    p_error       jsonb
)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now   timestamptz := pgqrs.now();
    v_owner text;
begin
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
    perform pgqrs._write_outcome(p_workflow_id, p_step_key, p_token, p_status, p_output,
                                 p_error, v_owner, null, v_now);
end
$$;
comment on function pgqrs._finish_step(uuid, text, bigint, text, jsonb, jsonb) is
    'Private. Records a step outcome for the lease holder; idempotent for exact repeats.';

-- acquire_step(workflow_id, step_key, token) -> (status, value, attempt)
-- * SUCCESS step: returns ('SKIPPED', stored output); nothing runs.
-- * unseen step, or RUNNING (left by a runner that died), or RETRYING (a newer client's retry,
--   run at once: this 0.1.0 call knows no backoff): records RUNNING with attempt + 1 and
--   returns ('EXECUTE', null). The caller runs the step and records complete_step or fail_step.
-- * FAILED step: raises PQ004 with the stored error (JSON) in DETAIL.
-- The token must be the workflow's current one, checked in the statement that writes the step
-- (FOR SHARE on the workflow row, so a fenced runner never writes a step). Asynchronous commit
-- (see DURABILITY). Since 0.2.0 begin_step is the step call with positions, retries and
-- timeouts. Locks: the workflow row FOR SHARE, then the step row.
-- Errors: PQ001, PQ003, PQ004, PQ005, PQ008 (NULL id or token; a step key that is blank, over 512
-- characters or starts with '#'), PQ011.
create function pgqrs.acquire_step(p_workflow_id uuid, p_step_key text, p_token bigint)
returns table (status text, value jsonb, attempt integer)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now      timestamptz := pgqrs.now();
    v_status   text;
    v_attempt  integer;
    v_output   jsonb;
    v_error    jsonb;
begin
    perform pgqrs._async_commit();
    perform pgqrs._check_step_key(p_step_key);

    -- A RETRYING step (left by a newer client's retry policy) runs again at once: this 0.1.0
    -- call knows no backoff. begin_step is the call that honours it. The statement that writes
    -- the step reads the workflow row FOR SHARE with the token check (see _share_lease).
    insert into pgqrs.steps as s (workflow_id, step_key, status, attempt, lease_token, started_at,
                                  owner, attempt_started_at)
    select p_workflow_id, p_step_key, 'RUNNING', 1, p_token, v_now, w.lease_owner, v_now
      from pgqrs.workflows w
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > v_now)
       for share
    on conflict (workflow_id, step_key) do update
       set status = 'RUNNING',
           attempt = s.attempt + 1,
           lease_token = excluded.lease_token,
           owner = excluded.owner,
           attempt_started_at = excluded.attempt_started_at,
           retry_at = null,
           finished_at = null
     where s.status in ('RUNNING', 'RETRYING')
    returning s.attempt into v_attempt;
    if found then
        return query select 'EXECUTE'::text, null::jsonb, v_attempt;
        return;
    end if;

    -- Nothing written: the token is not current (this raises), or the step is final.
    perform pgqrs._share_lease(p_workflow_id, p_token, v_now);
    select s.status, s.output, s.error, s.attempt into v_status, v_output, v_error, v_attempt
      from pgqrs.steps s
     where s.workflow_id = p_workflow_id and s.step_key = p_step_key;
    if v_status = 'SUCCESS' then
        return query select 'SKIPPED'::text, v_output, v_attempt;
        return;
    end if;
    if v_status = 'WAITING' then
        raise exception 'pgqrs: step % of workflow % is a wait step (sleep, receive, await, event)',
            p_step_key, p_workflow_id
            using errcode = 'PQ005';
    end if;
    raise exception 'pgqrs: step % of workflow % failed: %',
        p_step_key, p_workflow_id, coalesce(v_error ->> 'message', v_error::text)
        using errcode = 'PQ004',
              detail = v_error::text;
end
$$;
comment on function pgqrs.acquire_step(uuid, text, bigint) is
    'Returns SKIPPED with the stored output for a finished step, EXECUTE for a new or abandoned '
    'one, and raises PQ004 with the stored error for a failed one.';

-- begin_step(workflow_id, step_key, token, position, max_attempts, backoff_seconds,
--            max_backoff_seconds, timeout_seconds) -> (status, value, attempt, retry_in)
-- The step call of a runner, with a retry policy, a timeout and the replay guard. status:
--   EXECUTE  run the step now (attempt is this attempt's number), then record its outcome
--   SKIPPED  it succeeded before: value is its stored output
--   FAILED   it failed for good before: value is its stored error (acquire_step raised PQ004)
--   WAIT     a retry is scheduled: run it again in retry_in seconds (in process for a short
--            wait, otherwise suspend_workflow until then)
-- p_position is the step's position in the run (1 for the first step the code calls, ...). A
-- recorded step at another position, or another recorded key at this position, raises PQ010.
-- The policy and timeout are stored on the step row (fail_step_attempt and heartbeat read them).
-- A RUNNING step begun under this same token is a repeat of this call after a lost answer:
-- EXECUTE with the same attempt. One begun under an older token was abandoned by a runner that
-- died or was fenced: that attempt is recorded in step_attempts (type pgqrs.Abandoned) and the
-- step runs again (attempt + 1), unless it had passed its timeout, in which case the attempt is
-- recorded as timed out (pgqrs.StepTimeout) and the policy decides (EXECUTE, WAIT or FAILED).
-- Commits asynchronously when it is its transaction's first write, like acquire_step: losing a
-- RUNNING marker only makes the step run again. The token is checked in the statement that
-- writes the step. Locks: the workflow row FOR SHARE (a takeover waits for this transaction, so a
-- fenced runner writes nothing), then the step row. Errors: PQ001, PQ003, PQ005, PQ008 (NULL id
-- or token; a step key that is blank, over 512 characters or starts with '#'; position < 1;
-- policy or timeout out of range), PQ010, PQ011.
create function pgqrs.begin_step(
    p_workflow_id         uuid,
    p_step_key            text,
    p_token               bigint,
    p_position            integer,
    p_max_attempts        integer default 1,
    p_backoff_seconds     double precision default 1,
    p_max_backoff_seconds double precision default 3600,
    p_timeout_seconds     double precision default null
)
returns table (status text, value jsonb, attempt integer, retry_in double precision)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now      timestamptz := pgqrs.now();
    v_owner    text;
    v_policy   jsonb;
    v_timeout  timestamptz;
    v_step     pgqrs.steps;
    v_error    jsonb;
    v_delay    double precision;
begin
    perform pgqrs._async_commit();
    perform pgqrs._check_step_key(p_step_key);
    if p_position is null or p_position < 1 then
        raise exception 'pgqrs: step position must be 1 or more, got %',
            coalesce(p_position::text, 'NULL')
            using errcode = 'PQ008';
    end if;
    perform pgqrs._check_policy(p_max_attempts, p_backoff_seconds, p_max_backoff_seconds);
    if p_timeout_seconds is not null then
        if not (p_timeout_seconds > 0 and p_timeout_seconds <= 2678400) then
            raise exception 'pgqrs: step timeout must be in (0, 2678400] seconds, got %',
                p_timeout_seconds
                using errcode = 'PQ008';
        end if;
        v_timeout := v_now + p_timeout_seconds * interval '1 second';
    end if;
    if p_max_attempts > 1 then
        v_policy := pg_catalog.jsonb_build_object(
            'max_attempts', p_max_attempts, 'backoff', p_backoff_seconds,
            'max_backoff', p_max_backoff_seconds);
    end if;

    -- The common case, a new step at a free position, is this one insert, which reads the
    -- workflow row FOR SHARE with the token check (see _share_lease: a fenced runner writes
    -- nothing). It conflicts when the key exists (a replay, a retry or an abandoned attempt) or
    -- when the position is taken.
    insert into pgqrs.steps as s (workflow_id, step_key, status, attempt, lease_token,
                                  started_at, owner, attempt_started_at, position, policy,
                                  timeout_at)
    select p_workflow_id, p_step_key, 'RUNNING', 1, p_token, v_now, w.lease_owner, v_now,
           p_position, v_policy, v_timeout
      from pgqrs.workflows w
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > v_now)
       for share
    on conflict do nothing;
    if found then
        return query select 'EXECUTE'::text, null::jsonb, 1, 0::float8;
        return;
    end if;
    -- Nothing inserted: the token is not current (this raises), or the step exists.
    v_owner := pgqrs._share_lease(p_workflow_id, p_token, v_now);

    select * into v_step from pgqrs.steps s
     where s.workflow_id = p_workflow_id and s.step_key = p_step_key
       for update;
    perform pgqrs._check_position(p_workflow_id, p_step_key, p_position, v_step.position);

    if v_step.status = 'SUCCESS' then
        return query select 'SKIPPED'::text, v_step.output, v_step.attempt, 0::float8;
        return;
    end if;
    if v_step.kind = 'wait' then
        raise exception 'pgqrs: step % of workflow % is a wait step (sleep, receive, await, event)',
            p_step_key, p_workflow_id
            using errcode = 'PQ005';
    end if;
    if v_step.status = 'FAILED' then
        return query select 'FAILED'::text, v_step.error, v_step.attempt, 0::float8;
        return;
    end if;

    if v_step.status = 'RUNNING' and v_step.timeout_at <= v_now then
        -- Abandoned past its timeout: that attempt timed out. Record it and let the policy
        -- that attempt ran under decide, as fail_step_attempt would have.
        perform pg_catalog.set_config('synchronous_commit', 'on', true);
        v_error := pg_catalog.jsonb_build_object(
            'type', 'pgqrs.StepTimeout',
            'message', pg_catalog.format('step %s timed out at %s', p_step_key, v_step.timeout_at),
            'traceback', null);
        v_delay := pgqrs._fail_attempt(v_step, v_error, true, v_step.owner, v_step.lease_token,
                                       v_now);
        if v_delay is null then
            return query select 'FAILED'::text, v_error, v_step.attempt, 0::float8;
        else
            return query select 'WAIT'::text, null::jsonb, v_step.attempt, v_delay;
        end if;
        return;
    end if;

    if v_step.status = 'RETRYING' and v_step.retry_at > v_now then
        return query select 'WAIT'::text, null::jsonb, v_step.attempt,
                            extract(epoch from v_step.retry_at - v_now)::float8;
        return;
    end if;

    if v_step.status = 'RUNNING' then
        if v_step.lease_token = p_token then
            -- Begun already under this very lease: a repeat of this call after a lost answer.
            return query select 'EXECUTE'::text, null::jsonb, v_step.attempt, 0::float8;
            return;
        end if;
        -- Abandoned by a runner that died or was fenced before recording an outcome.
        perform pgqrs._record_attempt(
            p_workflow_id, p_step_key, v_step.attempt,
            pg_catalog.jsonb_build_object(
                'type', 'pgqrs.Abandoned',
                'message', pg_catalog.format(
                    'the runner %s stopped before recording an outcome',
                    coalesce(v_step.owner, '<unknown>')),
                'traceback', null),
            v_step.owner, v_step.attempt_started_at, v_now);
    end if;

    -- RUNNING (abandoned) or RETRYING and due: the next attempt.
    update pgqrs.steps s
       set status = 'RUNNING',
           attempt = s.attempt + 1,
           lease_token = p_token,
           owner = v_owner,
           attempt_started_at = v_now,
           position = coalesce(s.position, p_position),
           policy = v_policy,
           timeout_at = v_timeout,
           retry_at = null,
           error = null,
           finished_at = null
     where s.workflow_id = p_workflow_id and s.step_key = p_step_key
    returning s.attempt into v_step.attempt;
    return query select 'EXECUTE'::text, null::jsonb, v_step.attempt, 0::float8;
end
$$;
comment on function pgqrs.begin_step(uuid, text, bigint, integer, integer, double precision,
                                     double precision, double precision) is
    'Starts a step with a retry policy, a timeout and the replay guard: EXECUTE, SKIPPED, '
    'FAILED or WAIT.';

-- record_step(workflow_id, step_key, token, position, output, elapsed_seconds)
-- Records a step that ran as SUCCESS with its output in one call and one durable commit: the
-- fast path of a runner, which starts a new step without begin_step and calls this once it has
-- its result. So a short step costs one statement. (A runner still calls begin_step first for a
-- step that has a timeout, may already have a row, or runs long enough to be worth showing as
-- RUNNING; this function then completes that RUNNING row, like complete_step.) p_position is the
-- step's position in the run, checked by the replay guard as in begin_step (PQ010), and stored
-- on a begun row that has none (begun by 0.1.0's acquire_step). p_elapsed_seconds (0 to 1e9)
-- is how long the step ran, so that started_at is the step's start. Does not extend the lease
-- (the heartbeat does) and never writes the workflow row, so concurrent calls cannot deadlock. Idempotent: recording a SUCCESS step again with an
-- equal output is a no-op, so a client may retry after a lost connection; another output, or a
-- step that is FAILED, RETRYING or a wait step, raises PQ005. A RUNNING step past its timeout
-- raises PQ012. Locks: the workflow row (FOR SHARE: a takeover waits for this commit), then the
-- step row. Errors: PQ001, PQ003, PQ005, PQ007, PQ008 (NULL id or token; bad key; position
-- < 1; elapsed not in [0, 1e9]), PQ010, PQ011, PQ012, PQ013.
create function pgqrs.record_step(
    p_workflow_id     uuid,
    p_step_key        text,
    p_token           bigint,
    p_position        integer,
    p_output          jsonb,
    p_elapsed_seconds double precision default 0
)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now     timestamptz := pgqrs.now();
    v_setting  text;
    v_started  timestamptz;
    v_owner    text;
    v_position integer;
    v_kind     text;
begin
    -- The hot path of every step. The checks are PL/pgSQL expressions (the private checkers
    -- are only called to raise their errors), so that the common case runs one SQL statement.
    v_setting := pg_catalog.set_config('synchronous_commit', 'on', true);
    if p_step_key is null or pg_catalog.length(p_step_key) > 512
       or p_step_key !~ '[^[:space:]]' or pg_catalog.left(p_step_key, 1) = '#' then
        perform pgqrs._check_step_key(p_step_key);
    end if;
    if p_position is null or p_position < 1 then
        raise exception 'pgqrs: step position must be 1 or more, got %',
            coalesce(p_position::text, 'NULL')
            using errcode = 'PQ008';
    end if;
    if p_elapsed_seconds is null or not (p_elapsed_seconds >= 0 and p_elapsed_seconds <= 1e9) then
        raise exception 'pgqrs: elapsed seconds must be between 0 and 1e9, got %',
            coalesce(p_elapsed_seconds::text, 'NULL')
            using errcode = 'PQ008';
    end if;
    if pg_catalog.pg_column_size(p_output) >= 2048
       or pg_catalog.pg_column_compression(p_output) is not null
       or pg_catalog.pg_column_size(p_output) > pgqrs._max_payload_bytes() then
        perform pgqrs._check_payload('output of step ' || p_step_key, p_output);
    end if;

    -- The common case, a new step at a free position, is this one statement: it locks the
    -- workflow row (FOR SHARE) when the token is current, and inserts the step.
    v_started := v_now - p_elapsed_seconds * interval '1 second';
    insert into pgqrs.steps as s (workflow_id, step_key, status, output, attempt, lease_token,
                                  started_at, finished_at, owner, attempt_started_at, position)
    select p_workflow_id, p_step_key, 'SUCCESS', p_output, 1, p_token, v_started, v_now,
           w.lease_owner, v_started, p_position
      from pgqrs.workflows w
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > v_now)
       for share
    on conflict do nothing;
    if found then
        return;
    end if;

    -- Nothing inserted: the lease is not this runner's, or the key exists (begun, a repeat of
    -- this call, or another outcome), or another step holds the position. The workflow row
    -- stays locked FOR SHARE only (never upgraded: two calls at once must not deadlock).
    v_owner := pgqrs._share_lease(p_workflow_id, p_token, v_now);
    select s.position, s.kind into v_position, v_kind
      from pgqrs.steps s
     where s.workflow_id = p_workflow_id and s.step_key = p_step_key
       for update;
    perform pgqrs._check_position(p_workflow_id, p_step_key, p_position, v_position);
    if v_kind = 'wait' then
        raise exception 'pgqrs: step % of workflow % is a wait step (sleep, receive, await, event)',
            p_step_key, p_workflow_id
            using errcode = 'PQ005';
    end if;
    -- Begun (completed now, given the position if it had none), a repeat, or refused.
    perform pgqrs._write_outcome(p_workflow_id, p_step_key, p_token, 'SUCCESS', p_output, null,
                                 v_owner, p_position, v_now);
end
$$;
comment on function pgqrs.record_step(uuid, text, bigint, integer, jsonb, double precision) is
    'Records a step that ran as SUCCESS in one call (durable commit), begun or not; the replay '
    'guard applies.';

-- complete_step(workflow_id, step_key, token, output)
-- Records the step as SUCCESS with its output and extends the lease, in one durable commit.
-- Idempotent: completing a SUCCESS step again with an equal output is a no-op, so a client may
-- retry after a lost connection. A FAILED step, or a different output, raises PQ005.
-- Locks: the workflow row, then the step row. Errors: PQ001, PQ003, PQ005, PQ007, PQ008 (NULL
-- id or token; bad key), PQ013.
create function pgqrs.complete_step(
    p_workflow_id uuid,
    p_step_key    text,
    p_token       bigint,
    p_output      jsonb
)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_step_key(p_step_key);
    perform pgqrs._check_payload('output of step ' || p_step_key, p_output);
    perform pgqrs._finish_step(p_workflow_id, p_step_key, p_token, 'SUCCESS', p_output, null);
end
$$;
comment on function pgqrs.complete_step(uuid, text, bigint, jsonb) is
    'Records a step as SUCCESS with its output (durable commit) and extends the lease.';

-- fail_step(workflow_id, step_key, token, error)
-- Records the step as FAILED with its error and extends the lease, in one durable commit. The
-- error is stored as given when it is a JSON object (clients send {"type", "message",
-- "traceback"}); any other JSON value v is stored as {"type": null, "message": v as text}. An
-- error over pgqrs.max_payload_bytes is truncated, never refused (see _error_object).
-- Idempotent like complete_step: failing a FAILED step again with an equal error is a no-op.
-- Locks: the workflow row, then the step row. Errors: PQ001, PQ003, PQ005, PQ008 (NULL id,
-- token or error; bad key).
create function pgqrs.fail_step(
    p_workflow_id uuid,
    p_step_key    text,
    p_token       bigint,
    p_error       jsonb
)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_step_key(p_step_key);
    perform pgqrs._finish_step(
        p_workflow_id, p_step_key, p_token, 'FAILED', null, pgqrs._error_object(p_error));
end
$$;
comment on function pgqrs.fail_step(uuid, text, bigint, jsonb) is
    'Records a step as FAILED with its error (durable commit) and extends the lease.';
