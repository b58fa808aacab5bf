-- Leases and fencing: acquiring a workflow (with the replay snapshot of its finished steps),
-- heartbeats, releasing and suspending.

-- _raise_lease_error(workflow_id, token): called when a fenced write matched no row. Works out
-- why and raises: PQ008 (NULL id or token), PQ001 (no such workflow), PQ005 (never acquired), PQ011
-- (cancelled, or its deadline passed), PQ003 (the token is stale, whatever the state), PQ005
-- (the token is current but the workflow is final). Never returns.
create function pgqrs._raise_lease_error(p_workflow_id uuid, p_token bigint)
returns void
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_status   text;
    v_token    bigint;
    v_owner    text;
    v_deadline timestamptz;
    v_error    jsonb;
begin
    perform pgqrs._check_id('workflow id', p_workflow_id);
    if p_token is null then
        raise exception 'pgqrs: token must not be null' using errcode = 'PQ008';
    end if;
    select w.status, w.lease_token, w.lease_owner, w.deadline_at, w.error
      into v_status, v_token, v_owner, v_deadline, v_error
      from pgqrs.workflows w
     where w.id = p_workflow_id;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    if v_status = 'PENDING' then
        raise exception 'pgqrs: workflow % has not been acquired', p_workflow_id
            using errcode = 'PQ005',
                  hint = 'Call pgqrs.acquire_workflow first and pass the token it returns.';
    end if;
    if v_status = 'CANCELLED' then
        raise exception 'pgqrs: workflow % was cancelled: %', p_workflow_id, v_error ->> 'message'
            using errcode = 'PQ011',
                  detail = v_error::text;
    end if;
    if v_status = 'RUNNING' and v_deadline <= pgqrs.now() then
        raise exception 'pgqrs: workflow % passed its deadline %', p_workflow_id, v_deadline
            using errcode = 'PQ011',
                  detail = pgqrs._deadline_error(v_deadline)::text,
                  hint = 'pgqrs.cancel_workflow records it as CANCELLED.';
    end if;
    if v_token = p_token then
        raise exception 'pgqrs: workflow % is already %', p_workflow_id, v_status
            using errcode = 'PQ005';
    end if;
    raise exception 'pgqrs: lease on workflow % lost: token % is stale, current token is % (owner %)',
        p_workflow_id, p_token, v_token, coalesce(v_owner, '<none>')
        using errcode = 'PQ003';
end
$$;
comment on function pgqrs._raise_lease_error(uuid, bigint) is
    'Private. Diagnoses a fenced write that matched nothing and raises PQ001, PQ005 or PQ003.';

-- _grant_lease(workflow_id, owner, lease_seconds, recovered, now, claim_id) -> token
-- Makes the workflow RUNNING under a new lease for p_owner, expiring at p_now + p_lease_seconds,
-- with the next fencing token, which it returns, and p_claim_id as the claim that granted it
-- (NULL for acquire_workflow). With p_recovered (the previous holder died holding it) the
-- recovery count grows by one. The caller has locked the row and decided that the grant is
-- allowed. Locks: the workflow row.
create function pgqrs._grant_lease(
    p_workflow_id   uuid,
    p_owner         text,
    p_lease_seconds double precision,
    p_recovered     boolean,
    p_now           timestamptz,
    p_claim_id      uuid
)
returns bigint
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_token bigint;
begin
    update pgqrs.workflows w
       set status = 'RUNNING',
           lease_owner = p_owner,
           lease_token = w.lease_token + 1,
           lease_timeout = p_lease_seconds * interval '1 second',
           lease_expires_at = p_now + p_lease_seconds * interval '1 second',
           started_at = coalesce(w.started_at, p_now),
           updated_at = p_now,
           recoveries = w.recoveries + p_recovered::integer,
           claim_id = p_claim_id
     where w.id = p_workflow_id
    returning w.lease_token into v_token;
    return v_token;
end
$$;
comment on function pgqrs._grant_lease(uuid, text, double precision, boolean, timestamptz, uuid) is
    'Private. Grants a new lease (and fencing token) on a workflow the caller has locked.';

-- _finished_steps(workflow_id, max_bytes): the replay snapshot of a workflow, one JSON object:
-- its SUCCESS and FAILED steps {"step_key": {"status", "output", "error", "position"}, ...},
-- what a runner needs to replay them and to check that its code still calls them at the
-- recorded positions. "position" is left out for steps recorded without one (by 0.1.0 calls),
-- so their entries keep 0.1.0's shape. When some steps have a row but no outcome (RUNNING,
-- RETRYING, WAITING), the reserved entry "#open" lists them with their positions,
-- {"#open": {"step_key": position, ...}}, so that a runner knows which new steps may skip
-- begin_step and go straight to record_step. No step key starts with "#" (_check_step_key;
-- 0.1.0 clients never look these entries up).
-- A snapshot never fails because a workflow is large: steps are taken in run order until their
-- values add up to p_max_bytes (sizes uncompressed), and when any is left out the reserved entry
-- "#more": true says so. A runner then asks begin_step about every step the snapshot does not
-- hold (it answers SKIPPED with the stored output of a finished one) and never starts a step
-- without it. Reads the workflow's steps; no locks.
create function pgqrs._finished_steps(p_workflow_id uuid, p_max_bytes bigint)
returns jsonb
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_finished jsonb;
    v_open     jsonb;
    v_more     boolean;
begin
    select pg_catalog.jsonb_object_agg(
               x.step_key,
               pg_catalog.jsonb_build_object('status', x.status, 'output', x.output,
                                             'error', x.error)
               || case when x.position is null then '{}'::jsonb
                       else pg_catalog.jsonb_build_object('position', x.position) end)
               filter (where x.final and x.total <= p_max_bytes),
           pg_catalog.jsonb_object_agg(x.step_key, x.position)
               filter (where not x.final and x.total <= p_max_bytes),
           pg_catalog.bool_or(x.total > p_max_bytes)
      into v_finished, v_open, v_more
      from (select s.step_key, s.status, s.output, s.error, s.position,
                   s.status in ('SUCCESS', 'FAILED') as final,
                   pg_catalog.sum(
                       32 + pg_catalog.octet_length(s.step_key)
                       + case when s.status not in ('SUCCESS', 'FAILED') then 0
                              when s.output is null then 0
                              when pg_catalog.pg_column_compression(s.output) is null
                                  then pg_catalog.pg_column_size(s.output)
                              else pg_catalog.octet_length(s.output::text) end
                       + case when s.status not in ('SUCCESS', 'FAILED') then 0
                              when s.error is null then 0
                              when pg_catalog.pg_column_compression(s.error) is null
                                  then pg_catalog.pg_column_size(s.error)
                              else pg_catalog.octet_length(s.error::text) end)
                       over (order by s.position nulls first, s.started_at, s.step_key
                             rows between unbounded preceding and current row) as total
              from pgqrs.steps s
             where s.workflow_id = p_workflow_id) x;
    return coalesce(v_finished, '{}'::jsonb)
           || case when v_open is null then '{}'::jsonb
                   else pg_catalog.jsonb_build_object('#open', v_open) end
           || case when v_more then '{"#more": true}'::jsonb else '{}'::jsonb end;
end
$$;
comment on function pgqrs._finished_steps(uuid, bigint) is
    'Private. The replay snapshot of a workflow: its finished steps up to a size, as one JSON '
    'object.';

-- acquire_workflow(workflow_id, owner, lease_seconds) -> one row
-- Starts or resumes a workflow: the one call a runner makes before replaying it. Returns the
-- input and the finished steps as one JSON object (the snapshot of _finished_steps, up to 16 MiB
-- of values: "#more": true when steps were left out)
-- {"step_key": {"status": "SUCCESS"|"FAILED", "output": ..., "error": ...}, ...},
-- so replaying N finished steps costs no further round trip.
-- * SUCCESS, FAILED, DEAD or CANCELLED: takes no lease; returns that status with the stored
--   output or error. A PENDING or RUNNING workflow past its deadline is recorded CANCELLED first
--   (with its descendants: _cancel_tree).
-- * PENDING or RUNNING: raises PQ002 if another owner holds a live lease, or if the workflow is
--   queued for workers in a queue whose limits do not let it run now (paused, full, the key or
--   p_owner at its limit, no permit for a first start: _admit takes what a claim would).
--   Otherwise grants the lease to p_owner with a new fencing token (previous token + 1), sets
--   RUNNING, and returns the token. Taking over from a holder that died counts as a recovery
--   (recoveries + 1).
-- The same owner may re-acquire a live lease at once; its earlier token is fenced out.
-- Locks: the workflow row (FOR NO KEY UPDATE), then for a queue with limits its key, slot and
-- permit rows. Errors: PQ001, PQ002, PQ008 (NULL id, owner empty or over 255 characters, lease
-- seconds not in (0, 86400]).
create function pgqrs.acquire_workflow(
    p_workflow_id   uuid,
    p_owner         text,
    p_lease_seconds double precision default 30
)
returns table (
    status           text,
    token            bigint,
    lease_expires_at timestamptz,
    name             text,
    input            jsonb,
    output           jsonb,
    error            jsonb,
    steps            jsonb
)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now     timestamptz := pgqrs.now();
    v_wf      pgqrs.workflows;
    v_token   bigint;
    v_expires timestamptz;
    v_steps   jsonb;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_id('workflow id', p_workflow_id);
    perform pgqrs._check_text('owner', p_owner, 255);
    perform pgqrs._check_lease_seconds(p_lease_seconds);

    select * into v_wf from pgqrs.workflows w where w.id = p_workflow_id for no key update;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;

    if v_wf.status in ('PENDING', 'RUNNING') and v_wf.deadline_at <= v_now then
        perform pgqrs._cancel_tree(p_workflow_id, pgqrs._deadline_error(v_wf.deadline_at), v_now);
        select * into v_wf from pgqrs.workflows w where w.id = p_workflow_id;
    end if;

    v_steps := pgqrs._finished_steps(p_workflow_id, 16777216);

    if v_wf.status in ('SUCCESS', 'FAILED', 'DEAD', 'CANCELLED') then
        return query select v_wf.status, v_wf.lease_token, null::timestamptz, v_wf.name,
                            v_wf.input, v_wf.output, v_wf.error, v_steps;
        return;
    end if;

    if v_wf.lease_owner is not null
       and v_wf.lease_owner <> p_owner
       and v_wf.lease_expires_at > v_now then
        raise exception 'pgqrs: workflow % is busy: owner % holds its lease until %',
            p_workflow_id, v_wf.lease_owner, v_wf.lease_expires_at
            using errcode = 'PQ002',
                  detail = pg_catalog.jsonb_build_object(
                      'owner', v_wf.lease_owner, 'lease_expires_at', v_wf.lease_expires_at)::text,
                  hint = 'Wait for the lease to expire, or resume with the same owner id.';
    end if;

    -- A workflow queued for workers in a queue with limits runs within them whoever runs it: the
    -- caller takes the slot (and, for a first start, the permit) a claim would, or gets PQ002.
    if v_wf.queued
       and not coalesce(v_wf.lease_owner = p_owner and v_wf.lease_expires_at > v_now, false)
       and not pgqrs._admit(p_owner, pgqrs._queue(v_wf.queue), p_workflow_id,
                            v_wf.concurrency_key, v_wf.status = 'PENDING', '{}', v_now) then
        raise exception 'pgqrs: workflow % is held back by the limits of its queue %',
            p_workflow_id, v_wf.queue
            using errcode = 'PQ002',
                  detail = pg_catalog.jsonb_build_object('queue', v_wf.queue)::text,
                  hint = 'A worker runs it when its queue has room (pgqrs.list_queues() shows '
                         'the limits).';
    end if;

    -- A RUNNING workflow with an owner was left by a holder that died (or by this owner's
    -- previous incarnation): taking it over is a recovery.
    v_token := pgqrs._grant_lease(p_workflow_id, p_owner, p_lease_seconds,
                                  v_wf.status = 'RUNNING' and v_wf.lease_owner is not null,
                                  v_now, null);
    v_expires := v_now + p_lease_seconds * interval '1 second';

    return query select 'RUNNING'::text, v_token, v_expires, v_wf.name, v_wf.input,
                        null::jsonb, null::jsonb, v_steps;
end
$$;
comment on function pgqrs.acquire_workflow(uuid, text, double precision) is
    'Starts or resumes a workflow: grants a lease with a new fencing token and returns everything '
    'needed to replay it (input and finished steps). Final workflows return their outcome.';

-- heartbeat(workflow_id, token) -> lease_expires_at
-- Extends the caller's lease by its lease length. Asynchronous commit: a heartbeat lost in a
-- crash only shortens the lease. It refuses, changing nothing, past the deadline (PQ011) or
-- while a step this lease began is over its timeout (PQ012), so a stuck runner loses the
-- workflow when its lease runs out. Locks: the workflow row.
-- Errors: PQ001, PQ003, PQ005, PQ008 (NULL id or token), PQ011, PQ012.
create function pgqrs.heartbeat(p_workflow_id uuid, p_token bigint)
returns timestamptz
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now     timestamptz := pgqrs.now();
    v_expires timestamptz;
    v_step    text;
    v_timeout timestamptz;
begin
    perform pgqrs._async_commit();
    update pgqrs.workflows w
       set lease_expires_at = v_now + w.lease_timeout
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > v_now)
    returning w.lease_expires_at into v_expires;
    if not found then
        perform pgqrs._raise_lease_error(p_workflow_id, p_token);
    end if;
    -- A step over its timeout: the extension above is rolled back, so a runner stuck in the
    -- step loses the workflow when the lease runs out, and the next runner records the
    -- timed-out attempt.
    select s.step_key, s.timeout_at into v_step, v_timeout
      from pgqrs.steps s
     where s.workflow_id = p_workflow_id
       and s.status = 'RUNNING'
       and s.lease_token = p_token
       and s.timeout_at <= v_now
     limit 1;
    if found then
        raise exception 'pgqrs: step % of workflow % timed out at %', v_step, p_workflow_id,
            v_timeout
            using errcode = 'PQ012',
                  hint = 'Record the failed attempt with pgqrs.fail_step_attempt.';
    end if;
    return v_expires;
end
$$;
comment on function pgqrs.heartbeat(uuid, bigint) is
    'Extends the lease held with this fencing token; raises PQ003 if it was taken over.';

-- release_workflow(workflow_id, token)
-- Gives the lease up without finishing: the workflow stays RUNNING and any owner may acquire it at
-- once (a worker may claim it at once: NOTIFY pgqrs_work). Used on graceful shutdown. Not a
-- recovery: the holder did not die. The token moves on (+1), so the released token is fenced out
-- at once: a late write with it raises PQ003 and cannot push the lease expiry forward. Past the
-- deadline it raises PQ011 and changes nothing: the workflow is to be CANCELLED, not queued.
-- Locks: the workflow row. Errors: PQ001, PQ003, PQ005, PQ008 (NULL id or token), PQ011.
create function pgqrs.release_workflow(p_workflow_id uuid, p_token bigint)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_name   text;
    v_queued boolean;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    update pgqrs.workflows w
       set lease_owner = null,
           lease_expires_at = null,
           lease_token = w.lease_token + 1,
           updated_at = pgqrs.now()
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > pgqrs.now())
    returning w.name, w.queued into v_name, v_queued;
    if not found then
        perform pgqrs._raise_lease_error(p_workflow_id, p_token);
    end if;
    perform pgqrs._free_slot(p_workflow_id);
    if v_queued then
        perform pgqrs._notify('pgqrs_work', 'work:' || v_name);
    end if;
end
$$;
comment on function pgqrs.release_workflow(uuid, bigint) is
    'Gives up the lease without finishing, so that another runner can resume at once.';

-- suspend_workflow(workflow_id, token, until)
-- Gives the lease up until a time, without finishing: the workflow stays RUNNING, is queued, and
-- no worker claims it before p_until (a past time means at once, with NOTIFY pgqrs_work). The
-- token moves on (+1), as in release_workflow. This is how a runner waits for a long retry
-- backoff without holding a worker or a connection. Not a recovery. A deadline still applies
-- while it waits. A repeat with the same token (after a lost answer) is a no-op while nobody
-- has taken the workflow since. Locks: the workflow row.
-- Errors: PQ001, PQ003, PQ005, PQ008 (NULL id or token, a time that is NULL or not in [1970,
-- 9999)), PQ011.
create function pgqrs.suspend_workflow(p_workflow_id uuid, p_token bigint, p_until timestamptz)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now  timestamptz := pgqrs.now();
    v_name text;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    if p_until is null then
        raise exception 'pgqrs: suspend until must not be null' using errcode = 'PQ008';
    end if;
    perform pgqrs._check_time('suspend until', p_until);
    update pgqrs.workflows w
       set lease_owner = null,
           lease_expires_at = null,
           lease_token = w.lease_token + 1,
           queued = true,
           available_at = greatest(p_until, v_now),
           updated_at = v_now
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > v_now)
    returning w.name into v_name;
    if not found then
        -- A repeat of this call after a lost answer: the token moved on by one, no lease.
        perform 1 from pgqrs.workflows w
         where w.id = p_workflow_id and w.status = 'RUNNING' and w.lease_token = p_token + 1
           and w.lease_owner is null and w.queued;
        if found then
            return;
        end if;
        perform pgqrs._raise_lease_error(p_workflow_id, p_token);
    end if;
    perform pgqrs._free_slot(p_workflow_id);
    if p_until <= v_now then
        perform pgqrs._notify('pgqrs_work', 'work:' || v_name);
    end if;
end
$$;
comment on function pgqrs.suspend_workflow(uuid, bigint, timestamptz) is
    'Releases the lease until a time; a worker resumes the workflow then.';
