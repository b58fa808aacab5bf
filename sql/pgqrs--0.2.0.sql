-- pgqrs 0.2.0: durable workflows that live inside PostgreSQL.
--
-- This file installs pgqrs 0.2.0 on a database without it. A database with 0.1.0 gets the same
-- schema from pgqrs--0.1.0--0.2.0.sql (a test compares the two). Released scripts are never
-- edited; docs/upgrading.md has the rules. Three ways to run it, all with the same result:
-- CREATE EXTENSION pgqrs (after make install-extension), psql -f, or pgqrs install.
--
-- MODEL
--   A workflow is a named run of user code with a JSON input. Its code calls steps; each step's
--   JSON result is checkpointed here, so a runner that crashes, is killed or loses its connection
--   can resume: completed steps return their stored result and are not run again. Every rule of
--   that protocol lives in this file. Clients (Python, psql, any language) only serialize values,
--   call these functions and map their SQLSTATEs.
--
--   pgqrs.workflows  one row per workflow: status, input, output or error, and the lease.
--   pgqrs.steps      one row per (workflow, step key): status, output or error, attempt count,
--                    position in the run, retry policy and timeout.
--   pgqrs.step_attempts  one row per failed attempt of a step: its error, owner and times.
--   pgqrs.messages   messages sent to a workflow, per topic, in order; consumed by its recv.
--   pgqrs.events     the latest value a workflow published under each event key.
--   pgqrs.workers    one row per worker name: the workflow names it serves, its heartbeat.
--   pgqrs.ledger     the install scripts applied to this database.
--
--   A workflow is run either by the process that made it (create_workflow, then
--   acquire_workflow) or by a worker: start_workflow enqueues it, and claim_workflows hands it
--   to a registered worker that serves its name, under the same kind of lease.
--
-- STATE MACHINES
--   workflow:  PENDING --acquire_workflow/claim_workflows--> RUNNING --complete_workflow--> SUCCESS
--                                                                    --fail_workflow------> FAILED
--              RUNNING --claim_workflows (recoveries > max_recoveries)--> DEAD
--              DEAD --revive_workflow--> RUNNING (no lease, queued)
--              RUNNING --fail_workflow with attempts left (max_attempts)--> RUNNING (no lease,
--                        queued, available after a backoff; FAILED steps become RETRYING)
--              RUNNING --suspend_workflow--> RUNNING (no lease, queued, available at a time)
--              PENDING, RUNNING, DEAD --cancel_workflow--> CANCELLED (and so do its children,
--                        the workflows started with parent_id = it, recursively)
--              PENDING, RUNNING --the deadline passing--> CANCELLED
--              FAILED, DEAD, CANCELLED --resume_workflow--> RUNNING (no lease, queued; FAILED
--                        steps become RETRYING with a fresh attempt budget)
--              SUCCESS, FAILED and CANCELLED are final. Acquiring a final or DEAD workflow takes
--              no lease and returns its stored output or error, so a re-run replays the outcome.
--   step:      (none) --begin_step/acquire_step--> RUNNING --complete_step--> SUCCESS
--                                                          --fail_step-----> FAILED
--              (none) --record_step--> SUCCESS (a new step that ran without begin_step: one
--                        statement per step; a runner begins long steps so they show RUNNING)
--              RUNNING --fail_step_attempt, attempts left and retryable--> RETRYING (retry_at)
--              RUNNING --fail_step_attempt, no attempts left or not retryable--> FAILED
--              RETRYING --begin_step once retry_at has passed--> RUNNING (attempt + 1)
--              FAILED --resume_workflow, or a workflow retry--> RETRYING (retry_at = now)
--              complete_step/fail_step may also create the row directly. A RUNNING step was left by
--              a runner that died before recording an outcome; begin_step hands it out again
--              (attempt + 1), after recording a timed-out attempt when it had passed its timeout.
--              SUCCESS and FAILED are final: begin_step returns SKIPPED with the stored value or
--              FAILED with the stored error (acquire_step raises PQ004 with it).
--   wait step: (none) --sleep_step/recv_message/await_workflow--> WAITING (timeout_at: the wake
--              time or the wait's timeout) --what it waits for, or its timeout--> SUCCESS
--              A wait step's outcome is recorded once, including a timeout ({"timeout": true}),
--              so a replay returns exactly what the first run got.
--
-- WAITING WITHOUT HOLDING ANYTHING
--   A workflow waits by giving its lease up: RUNNING, no lease, queued, available_at = when it
--   must look again (a wake time or a timeout; NULL: only when woken), waiting_for = what it
--   waits for ('message:<topic>' or 'workflow:<id>'). The wait functions decide to suspend in
--   the same transaction that found nothing to return, holding the waiter's row lock. A
--   wake-up can never fall between that check and the suspension: send_message locks the
--   waiter's row before it queues the message, and await_workflow reads the awaited row FOR
--   SHARE, which waits for a transaction finishing that workflow (a finishing workflow locks
--   its own row, then wakes its waiters: available_at = now, NOTIFY pgqrs_work). Sleep,
--   messages, child workflows and step retries all use this one mechanism.
--
-- RETRIES, TIMEOUTS AND THE REPLAY GUARD
--   A step's retry policy (max_attempts, backoff, max_backoff) and timeout are passed to
--   begin_step and stored on its row, so every decision below is made here, from stored facts.
--   fail_step_attempt records the failed attempt in step_attempts and, when the error is
--   retryable and attempts remain, schedules the next one at now + _retry_delay(n): the base
--   backoff doubled per attempt, capped at max_backoff, with "equal jitter" (half fixed, half
--   random). A runner waits a short delay in process; for a long one it calls suspend_workflow,
--   which frees the lease, and a worker claims the workflow again when the delay has passed.
--   A step timeout is enforced here too: complete_step refuses a result after timeout_at
--   (PQ012), heartbeat stops extending a lease while a step is over its timeout (so a stuck
--   runner loses the workflow), and begin_step records such a step as a timed-out attempt.
--   A workflow deadline (deadline_at) works the same way: past it every write raises PQ011, and
--   claim_workflows, acquire_workflow or cancel_workflow record the workflow as CANCELLED.
--   Each step records the position at which the run first called it. begin_step raises PQ010
--   when the same key comes at another position, or another key at a recorded position: the
--   workflow's code changed under a run, and replaying on would hand a step someone else's
--   result.
--
-- LEASES AND FENCING
--   A runner must hold the workflow's lease to write. acquire_workflow grants it: an owner name, an
--   expiry (pgqrs.now() + lease seconds) and a fencing token, lease_token, which increases by one
--   at every grant and every release and is never reset. Every write passes the token it was
--   granted; a write with any other token raises PQ003 and changes nothing, so a runner whose lease
--   was taken over (or released) is fenced out even if it wakes up later. A live lease of another owner makes acquire_workflow raise PQ002.
--   The same owner may re-acquire at once (a restarted process with a stable runner id), which also
--   fences its own previous incarnation. complete_step, fail_step and heartbeat extend the lease.
--
-- WORKERS AND RECOVERY
--   claim_workflows hands out queued workflows with no live lease (never leased, released, or
--   expired) using FOR NO KEY UPDATE SKIP LOCKED; expired leases are reaped inside it, so there
--   is no reaper job. Taking over from a holder that died is a recovery; so is a worker
--   re-registering under a name whose previous incarnation still held leases. A workflow whose
--   recoveries exceed max_recoveries is moved to DEAD instead of being handed out again.
--   NOTIFY pgqrs_work (payload: a workflow name, or '*') announces new or released work, and
--   NOTIFY pgqrs_done (payload: a workflow id) a workflow that became SUCCESS, FAILED or DEAD.
--
-- DURABILITY
--   acquire_step and heartbeat commit asynchronously: losing a RUNNING marker or a lease extension
--   in a crash is harmless (the step runs again; the lease is shorter). They set
--   synchronous_commit = off only when they are the first write of their transaction, because the
--   setting lasts until the transaction ends. Every other function that writes (create, acquire
--   workflow, outcomes, release) sets synchronous_commit = on for its transaction, so a lease grant
--   or an outcome is never acknowledged before it is durable, whatever the session default.
--
-- LOCK ORDER
--   worker row, then workflow rows, then step rows. A function that writes locks the workflow row
--   first (UPDATE, or SELECT ... FOR NO KEY UPDATE), then at most one step row of the same
--   workflow. The worker functions lock their worker row first (claim_workflows only
--   reads it, and rewrites its heartbeat at most once a second); claim_workflows then locks
--   workflow rows with SKIP LOCKED and so never waits for one. record_step locks the workflow
--   row FOR SHARE in the statement that inserts the step row (a takeover waits for it).
--   acquire_step and begin_step read the workflow row without a lock and write one step row;
--   the foreign-key check that triggers takes FOR KEY SHARE on the workflow row, which never
--   conflicts with FOR NO KEY UPDATE, so no cycle can form. Hot-path functions touch only the
--   rows of one workflow, keyed by its id.
--
-- CLOCK
--   Every time comparison goes through pgqrs.now(). It returns the setting pgqrs.fake_now when a
--   session sets it (tests move time without sleeping) and clock_timestamp() otherwise.
--
-- SQLSTATES (class PQ; pgqrs.error_codes() returns this table)
--   PQ001 workflow_not_found    no workflow has that id
--   PQ002 workflow_busy         another owner holds a live lease
--   PQ003 lease_lost            the caller's fencing token is no longer current
--   PQ004 step_failed           the step failed before; DETAIL holds the stored error as JSON
--   PQ005 invalid_state         the call does not fit the current state (final workflow, final step)
--   PQ006 idempotency_conflict  an id or idempotency key is reused with a different name or input
--   PQ007 payload_too_large     a JSON value exceeds pgqrs.max_payload_bytes
--   PQ008 invalid_argument      a missing, empty or oversized name, key, owner or lease length
--   PQ009 worker_not_found      no worker is registered under that name
--   PQ010 workflow_code_changed the step called at a position is not the one recorded there
--   PQ011 workflow_cancelled    the workflow was cancelled, or its deadline passed
--   PQ012 step_timed_out        the step ran past its timeout; its result is not recorded
--   Malformed JSON, NaN and NUL characters are rejected by PostgreSQL's jsonb input itself
--   (22P02, 22P05) before any pgqrs function runs, so they can never reach the tables.
--
-- SECURITY
--   Every function pins search_path = pg_catalog, pg_temp and names objects with their schema.
--   Nothing is granted to PUBLIC. The API functions that touch tables are SECURITY DEFINER, so an
--   application role can be granted EXECUTE on them without any privilege on the tables
--   (docs/security.md); now(), version() and min_client_version() touch none and run as the
--   caller.
--   Functions whose name starts with an underscore are private and granted to nobody.
--
-- COMPATIBILITY
--   version() is this schema's version; min_client_version() is the oldest client release whose
--   calls this schema still serves. Upgrades only add (expand): a released signature is never
--   changed in place, so clients of min_client_version() or later keep working after an upgrade
--   while new clients roll out. A client refuses a schema older than the scripts it ships, and a
--   schema whose min_client_version() is newer than itself.

-- CREATE EXTENSION pgqrs creates the schema before running this script (pgqrs.control:
-- schema = pgqrs); psql -f and the Python installer create it here. A schema that already exists
-- must belong to the installing role: a schema owner can drop or replace anything inside it.
do $$
declare
    v_owner regrole;
begin
    select n.nspowner::regrole into v_owner from pg_catalog.pg_namespace n where n.nspname = 'pgqrs';
    if v_owner is null then
        create schema pgqrs;
    elsif not pg_catalog.pg_has_role(v_owner, 'USAGE') then
        raise exception 'pgqrs: schema pgqrs already exists and belongs to role %', v_owner
            using errcode = '42501',
                  hint = 'Install as that role, or drop the schema first.';
    end if;
end
$$;
comment on schema pgqrs is 'pgqrs: durable workflows. See docs/sql-api.md.';
revoke all on schema pgqrs from public;

-------------------------------------------------------------------------------------------------
-- Tables
-------------------------------------------------------------------------------------------------

create table pgqrs.ledger (
    version    text primary key,
    applied_at timestamptz not null default pg_catalog.clock_timestamp()
);
comment on table pgqrs.ledger is
    'pgqrs install scripts applied to this database, one row per version.';

create table pgqrs.workflows (
    id               uuid primary key,
    name             text not null,
    idempotency_key  text,
    status           text not null default 'PENDING'
                     check (status in ('PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'DEAD',
                                       'CANCELLED')),
    input            jsonb,
    output           jsonb,
    error            jsonb,
    lease_owner      text,
    lease_token      bigint not null default 0,
    lease_expires_at timestamptz,
    lease_timeout    interval not null default interval '30 seconds',
    created_at       timestamptz not null,
    updated_at       timestamptz not null,
    started_at       timestamptz,
    finished_at      timestamptz,
    queued           boolean not null default false,
    available_at     timestamptz,
    recoveries       integer not null default 0,
    max_recoveries   integer not null default 5 check (max_recoveries >= 0),
    deadline_at      timestamptz,
    attempt          integer not null default 1,
    max_attempts     integer not null default 1,
    retry_backoff    double precision not null default 1,
    retry_max_backoff double precision not null default 3600,
    forked_from      uuid,
    parent_id        uuid,
    waiting_for      text,
    constraint workflows_idempotency_key_key unique (idempotency_key)
) with (fillfactor = 80);
comment on table pgqrs.workflows is
    'One row per workflow: status, input, output or error, and the lease (owner, token, expiry).';
comment on column pgqrs.workflows.lease_token is
    'Fencing token. Increases by one at every grant and release of the lease; never reset.';
comment on column pgqrs.workflows.queued is
    'True for workflows enqueued by start_workflow: only those are handed to workers.';
comment on column pgqrs.workflows.available_at is
    'A queued workflow is not claimed before this time.';
comment on column pgqrs.workflows.recoveries is
    'How many times a crashed holder''s lease was taken over; over max_recoveries it is DEAD.';
comment on column pgqrs.workflows.deadline_at is
    'When set: past it the workflow is CANCELLED and no write of its runner is accepted.';
comment on column pgqrs.workflows.attempt is
    'Which run of the workflow this is: fail_workflow retries it while attempt < max_attempts.';
comment on column pgqrs.workflows.forked_from is
    'The workflow this one was forked from (fork_workflow), if any.';
comment on column pgqrs.workflows.parent_id is
    'The workflow that started this one as a child; cancelling it cancels this one too.';
comment on column pgqrs.workflows.waiting_for is
    'What a suspended workflow waits for: ''message:<topic>'' or ''workflow:<id>''.';

-- What claim_workflows scans: queued workflows that may need a runner. Step writes change only
-- lease_expires_at, which no index covers, so they stay HOT updates.
create index workflows_claimable on pgqrs.workflows (available_at, id)
    where queued and status in ('PENDING', 'RUNNING');
-- Who holds what: register_worker, stop_worker and list_workers look leases up by owner.
create index workflows_lease_owner on pgqrs.workflows (lease_owner)
    where lease_owner is not null;
-- Deadlines to enforce: claim_workflows cancels the workflows whose deadline has passed.
create index workflows_deadline on pgqrs.workflows (deadline_at)
    where deadline_at is not null and status in ('PENDING', 'RUNNING');
-- Children, for cancelling them with their parent.
create index workflows_parent on pgqrs.workflows (parent_id) where parent_id is not null;
-- Waiters, for waking them when what they wait for happens.
create index workflows_waiting on pgqrs.workflows (waiting_for) where waiting_for is not null;

create table pgqrs.steps (
    workflow_id  uuid not null references pgqrs.workflows (id) on delete cascade,
    step_key     text not null,
    status       text not null
                 check (status in ('RUNNING', 'SUCCESS', 'FAILED', 'RETRYING', 'WAITING')),
    output       jsonb,
    error        jsonb,
    attempt      integer not null default 1,
    lease_token  bigint not null,
    started_at   timestamptz not null,
    finished_at  timestamptz,
    position     integer,
    retry_at     timestamptz,
    retry_base   integer not null default 0,
    policy       jsonb,
    owner        text,
    attempt_started_at timestamptz,
    timeout_at   timestamptz,
    kind         text,
    primary key (workflow_id, step_key)
);
comment on column pgqrs.steps.started_at is 'When the first attempt of the step started.';
comment on column pgqrs.steps.position is
    'The step''s position in its run (1, 2, ...), checked on replay; NULL for 0.1.0 clients.';
comment on column pgqrs.steps.retry_base is
    'attempt when the step last got a fresh attempt budget (resume_workflow, workflow retry).';
comment on column pgqrs.steps.policy is
    'The retry policy begin_step was given: {"max_attempts", "backoff", "max_backoff"}.';
comment on column pgqrs.steps.kind is
    '''wait'' for a wait step (sleep, receive, await, event); NULL for an ordinary step.';
-- One step per position of a run: begin_step's insert of a new step conflicts, like a repeated
-- key, when the position is taken, and only then looks further (the replay guard).
create unique index steps_position on pgqrs.steps (workflow_id, position)
    where position is not null;

create table pgqrs.step_attempts (
    workflow_id uuid not null references pgqrs.workflows (id) on delete cascade,
    step_key    text not null,
    attempt     integer not null,
    error       jsonb not null,
    owner       text,
    started_at  timestamptz,
    finished_at timestamptz not null,
    primary key (workflow_id, step_key, attempt)
);
comment on table pgqrs.step_attempts is
    'One row per failed attempt of a step (retried or final): its error, runner and times.';

create table pgqrs.messages (
    id              bigint generated always as identity primary key,
    workflow_id     uuid not null references pgqrs.workflows (id) on delete cascade,
    topic           text not null,
    message         jsonb,
    idempotency_key text,
    sent_at         timestamptz not null,
    consumed_by     text,
    consumed_at     timestamptz,
    constraint messages_idempotency_key_key unique (workflow_id, idempotency_key)
);
comment on table pgqrs.messages is
    'Messages sent to a workflow: per topic, in id order; consumed_by names the recv step.';
-- What recv_message takes next: the oldest unconsumed message of a workflow and topic.
create index messages_pending on pgqrs.messages (workflow_id, topic, id)
    where consumed_by is null;

create table pgqrs.events (
    workflow_id uuid not null references pgqrs.workflows (id) on delete cascade,
    key         text not null,
    value       jsonb,
    set_at      timestamptz not null,
    primary key (workflow_id, key)
);
comment on table pgqrs.events is
    'The latest value each workflow published under each event key (set_event, get_event).';
comment on table pgqrs.steps is
    'One row per workflow step key: status, output or error, attempts, and the token that wrote it.';

create table pgqrs.workers (
    name         text primary key,
    hostname     text,
    pid          integer,
    workflows    text[] not null,
    concurrency  integer not null check (concurrency > 0),
    started_at   timestamptz not null,
    heartbeat_at timestamptz not null,
    stopped_at   timestamptz
);
comment on table pgqrs.workers is
    'Registered workers: the workflow names each serves, and its last heartbeat.';

revoke all on all tables in schema pgqrs from public;

-------------------------------------------------------------------------------------------------
-- Private helpers
-------------------------------------------------------------------------------------------------

-- _uuid_v7(): a time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then random
-- bits. New rows land at the right edge of the primary-key index, which keeps it hot and compact.
create function pgqrs._uuid_v7()
returns uuid
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    return pg_catalog.encode(
        pg_catalog.set_bit(pg_catalog.set_bit(
            pg_catalog.overlay(
                pg_catalog.uuid_send(pg_catalog.gen_random_uuid()),
                pg_catalog.substr(
                    pg_catalog.int8send(
                        pg_catalog.floor(
                            extract(epoch from pg_catalog.clock_timestamp()) * 1000)::bigint),
                    3),
                1, 6),
            52, 1), 53, 1),
        'hex')::uuid;
end
$$;
comment on function pgqrs._uuid_v7() is 'Private. A time-ordered version 7 UUID.';

-- _check_text(what, value, max_length): raises PQ008 unless value is a string of at most
-- max_length characters with at least one character that is not white space. Used for names, step keys, owners and idempotency keys.
create function pgqrs._check_text(p_what text, p_value text, p_max integer)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_value is null or p_value !~ '[^[:space:]]' then
        raise exception 'pgqrs: % must be a non-empty string', p_what
            using errcode = 'PQ008';
    end if;
    if pg_catalog.length(p_value) > p_max then
        raise exception 'pgqrs: % is % characters long; the limit is %',
            p_what, pg_catalog.length(p_value), p_max
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_text(text, text, integer) is
    'Private. Raises PQ008 unless the value is a non-blank string within the length limit.';

-- _max_payload_bytes(): the payload limit, from the setting pgqrs.max_payload_bytes (set it with
-- ALTER DATABASE or ALTER ROLE ... SET), 1 MiB when it is not set. A value that is not an
-- integer raises 22P02.
create function pgqrs._max_payload_bytes()
returns bigint
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
begin
    return coalesce(
        nullif(pg_catalog.current_setting('pgqrs.max_payload_bytes', true), '')::bigint,
        1048576);
end
$$;
comment on function pgqrs._max_payload_bytes() is
    'Private. The payload limit in bytes: pgqrs.max_payload_bytes, default 1 MiB.';

-- _check_payload(what, value): raises PQ007 when the value's jsonb size exceeds the setting
-- pgqrs.max_payload_bytes (default 1 MiB). NULL passes.
create function pgqrs._check_payload(p_what text, p_value jsonb)
returns void
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_limit bigint := pgqrs._max_payload_bytes();
    v_size integer;
begin
    if p_value is null then
        return;
    end if;
    v_size := pg_catalog.pg_column_size(p_value);
    if v_size > v_limit then
        raise exception 'pgqrs: % is % bytes; the limit is % bytes', p_what, v_size, v_limit
            using errcode = 'PQ007',
                  hint = 'Store large data elsewhere and pass a reference, or raise the '
                         'setting pgqrs.max_payload_bytes.';
    end if;
end
$$;
comment on function pgqrs._check_payload(text, jsonb) is
    'Private. Raises PQ007 when a JSON value exceeds pgqrs.max_payload_bytes (default 1 MiB).';

-- _async_commit(): sets synchronous_commit = off for the rest of the transaction, but only when
-- the transaction has written nothing yet, so that it can never weaken the durability of an
-- earlier write in the same transaction (such as an outcome recorded just before).
create function pgqrs._async_commit()
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    if pg_catalog.pg_current_xact_id_if_assigned() is null then
        perform pg_catalog.set_config('synchronous_commit', 'off', true);
    end if;
end
$$;
comment on function pgqrs._async_commit() is
    'Private. synchronous_commit = off for this transaction, only if it has written nothing yet.';

-- _raise_lease_error(workflow_id, token): called when a fenced write matched no row. Works out
-- why and raises: PQ008 (NULL token), PQ001 (no such workflow), PQ005 (never acquired), PQ011
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
    if p_token is null then
        raise exception 'pgqrs: token must not be null' using errcode = 'PQ008';
    end if;
    select w.status, w.lease_token, w.lease_owner, w.deadline_at, w.error
      into v_status, v_token, v_owner, v_deadline, v_error
      from pgqrs.workflows w
     where w.id = p_workflow_id;
    if not found then
        raise exception 'pgqrs: workflow % does not exist', p_workflow_id
            using errcode = 'PQ001';
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

-- _error_object(error): the stored form of an error. A JSON object is kept as given; any other
-- JSON value v becomes {"type": null, "message": v as text}. NULL raises PQ008. An error over
-- pgqrs.max_payload_bytes is cut down rather than refused, so that recording a failure can never
-- fail: it keeps only the type (200 characters) and the message (limit / 8 characters, at least
-- 200; a character takes at most 4 bytes, so at most half the limit), with "traceback": null and
-- "truncated": true. Under a limit below about 2 KB the cut-down error may exceed the limit.
create function pgqrs._error_object(p_error jsonb)
returns jsonb
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_error jsonb;
    v_limit bigint := pgqrs._max_payload_bytes();
begin
    if p_error is null then
        raise exception 'pgqrs: error must not be null' using errcode = 'PQ008';
    end if;
    if pg_catalog.jsonb_typeof(p_error) = 'object' then
        v_error := p_error;
    else
        v_error := pg_catalog.jsonb_build_object('type', null, 'message', p_error #>> '{}');
    end if;
    if pg_catalog.pg_column_size(v_error) <= v_limit then
        return v_error;
    end if;
    return pg_catalog.jsonb_build_object(
        'type', pg_catalog.left(v_error ->> 'type', 200),
        'message', pg_catalog.left(
            coalesce(v_error ->> 'message', ''), greatest(200, (v_limit / 8)::integer)),
        'traceback', null,
        'truncated', true);
end
$$;
comment on function pgqrs._error_object(jsonb) is
    'Private. Normalizes an error to a JSON object, cut down to fit pgqrs.max_payload_bytes.';

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

-- _check_wait_seconds(what, seconds): raises PQ008 unless a wait length is NULL (no limit) or
-- in [0, 315360000] seconds (ten years; NaN and Infinity fail).
create function pgqrs._check_wait_seconds(p_what text, p_seconds double precision)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_seconds is not null and not (p_seconds >= 0 and p_seconds <= 315360000) then
        raise exception 'pgqrs: % must be in [0, 315360000] seconds, got %', p_what, p_seconds
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_wait_seconds(text, double precision) is
    'Private. Raises PQ008 unless a wait length is NULL or in [0, ten years] seconds.';

-- _wake_waiters(waiting_for, workflow_id, now): makes the suspended workflows that wait for
-- p_waiting_for available now and announces them (NOTIFY pgqrs_work). p_workflow_id narrows it
-- to one workflow (a message wakes only its addressee). A workflow still holding its lease is
-- left alone: its runner is looking already. Locks: the woken rows.
create function pgqrs._wake_waiters(p_waiting_for text, p_workflow_id uuid, p_now timestamptz)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_name text;
begin
    for v_name in
        update pgqrs.workflows w
           set available_at = p_now, updated_at = p_now
         where w.waiting_for = p_waiting_for
           and (p_workflow_id is null or w.id = p_workflow_id)
           and w.status = 'RUNNING'
           and w.lease_owner is null
        returning w.name
    loop
        perform pg_catalog.pg_notify('pgqrs_work', v_name);
    end loop;
end
$$;
comment on function pgqrs._wake_waiters(text, uuid, timestamptz) is
    'Private. Makes the workflows suspended waiting for something available now.';

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

-- _wait_step(workflow_id, step_key, token, position, until) -> the step row
-- Starts or finds the wait step p_step_key of the caller's run: locks the workflow row (the
-- token must be current, the workflow RUNNING and within its deadline, else _raise_lease_error)
-- and returns the step row, creating it WAITING with timeout_at = p_until when it is new. The
-- replay guard applies as in begin_step; a key recorded as another kind of step raises PQ005.
-- Durable commit. Locks: the workflow row, then the step row.
create function pgqrs._wait_step(
    p_workflow_id uuid,
    p_step_key    text,
    p_token       bigint,
    p_position    integer,
    p_until       timestamptz
)
returns pgqrs.steps
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now   timestamptz := pgqrs.now();
    v_owner text;
    v_step  pgqrs.steps;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_text('step key', p_step_key, 512);
    if p_position is null or p_position < 1 then
        raise exception 'pgqrs: step position must be 1 or more, got %',
            coalesce(p_position::text, 'NULL')
            using errcode = 'PQ008';
    end if;
    select w.lease_owner into v_owner
      from pgqrs.workflows w
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > v_now)
       for no key update;
    if not found then
        perform pgqrs._raise_lease_error(p_workflow_id, p_token);
    end if;

    insert into pgqrs.steps as s (workflow_id, step_key, status, attempt, lease_token,
                                  started_at, owner, attempt_started_at, position, timeout_at,
                                  kind)
    values (p_workflow_id, p_step_key, 'WAITING', 1, p_token, v_now, v_owner, v_now,
            p_position, p_until, 'wait')
    on conflict do nothing
    returning * into v_step;
    if found then
        return v_step;
    end if;

    select * into v_step from pgqrs.steps s
     where s.workflow_id = p_workflow_id and s.step_key = p_step_key
       for update;
    perform pgqrs._check_position(p_workflow_id, p_step_key, p_position, v_step.position);
    if v_step.kind is distinct from 'wait' then
        raise exception 'pgqrs: step % of workflow % was recorded as an ordinary step, not a wait',
            p_step_key, p_workflow_id
            using errcode = 'PQ005';
    end if;
    if v_step.position is null then
        update pgqrs.steps s set position = p_position
         where s.workflow_id = p_workflow_id and s.step_key = p_step_key;
    end if;
    return v_step;
end
$$;
comment on function pgqrs._wait_step(uuid, text, bigint, integer, timestamptz) is
    'Private. Finds or starts a wait step of the lease holder, with the replay guard.';

-- _end_wait(workflow_id, step_key, output): records a wait step's outcome (SUCCESS with p_output)
-- and clears the workflow's waiting_for. The caller holds the workflow row lock.
create function pgqrs._end_wait(p_workflow_id uuid, p_step_key text, p_output jsonb)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now timestamptz := pgqrs.now();
begin
    update pgqrs.steps s
       set status = 'SUCCESS', output = p_output, finished_at = v_now
     where s.workflow_id = p_workflow_id and s.step_key = p_step_key;
    update pgqrs.workflows w
       set waiting_for = null, lease_expires_at = v_now + w.lease_timeout
     where w.id = p_workflow_id;
end
$$;
comment on function pgqrs._end_wait(uuid, text, jsonb) is
    'Private. Records the outcome of a wait step.';

-- _wait_more(workflow_id, token, until, waiting_for, inline_seconds) -> (status, remaining)
-- What a wait step answers when its event has not happened and its timeout (p_until; NULL:
-- none) has not passed: WAIT (keep the lease and look again in process) when it ends within
-- p_inline_seconds, else SUSPENDED: the lease is given up (token + 1), the workflow is queued,
-- available at p_until (NULL: only when woken) and waiting_for says what wakes it. The caller
-- holds the workflow row lock, so no wake-up can fall in between.
create function pgqrs._wait_more(
    p_workflow_id    uuid,
    p_until          timestamptz,
    p_waiting_for    text,
    p_inline_seconds double precision
)
returns table (status text, remaining double precision)
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now  timestamptz := pgqrs.now();
    v_left double precision;
begin
    v_left := extract(epoch from p_until - v_now)::float8;
    if v_left is not null and v_left <= coalesce(p_inline_seconds, 0) then
        update pgqrs.workflows w
           set lease_expires_at = v_now + w.lease_timeout
         where w.id = p_workflow_id;
        return query select 'WAIT'::text, v_left;
        return;
    end if;
    update pgqrs.workflows w
       set lease_owner = null,
           lease_expires_at = null,
           lease_token = w.lease_token + 1,
           queued = true,
           available_at = p_until,
           waiting_for = p_waiting_for,
           updated_at = v_now
     where w.id = p_workflow_id;
    return query select 'SUSPENDED'::text, v_left;
end
$$;
comment on function pgqrs._wait_more(uuid, timestamptz, text, double precision) is
    'Private. Keeps waiting in process (WAIT) or suspends the workflow (SUSPENDED).';

-- _check_lease_seconds(seconds): raises PQ008 unless 0 < seconds <= 86400 (NULL and NaN fail).
create function pgqrs._check_lease_seconds(p_seconds double precision)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_seconds is null or p_seconds <= 0 or p_seconds > 86400 then
        raise exception 'pgqrs: lease seconds must be greater than 0 and at most 86400, got %',
            p_seconds
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_lease_seconds(double precision) is
    'Private. Raises PQ008 unless the lease length is in (0, 86400] seconds.';

-- _finished_steps(workflow_id): the SUCCESS and FAILED steps of a workflow as one JSON object
-- {"step_key": {"status", "output", "error", "position"}, ...}: what a runner needs to replay
-- them, and to check that its code still calls them at the recorded positions. "position" is
-- left out for steps recorded without one (by 0.1.0 calls), so their entries keep 0.1.0's shape.
-- When some steps have a row but no outcome (RUNNING, RETRYING, WAITING), the reserved entry
-- "#open" lists them with their positions, {"#open": {"step_key": position, ...}}, so that a
-- runner knows which new steps may skip begin_step and go straight to record_step. No step key
-- starts with "#" (0.1.0 clients never look that entry up).
create function pgqrs._finished_steps(p_workflow_id uuid)
returns jsonb
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_finished jsonb;
    v_open     jsonb;
begin
    select pg_catalog.jsonb_object_agg(
               s.step_key,
               pg_catalog.jsonb_build_object('status', s.status, 'output', s.output,
                                             'error', s.error)
               || case when s.position is null then '{}'::jsonb
                       else pg_catalog.jsonb_build_object('position', s.position) end)
               filter (where s.status in ('SUCCESS', 'FAILED')),
           pg_catalog.jsonb_object_agg(s.step_key, s.position)
               filter (where s.status not in ('SUCCESS', 'FAILED'))
      into v_finished, v_open
      from pgqrs.steps s
     where s.workflow_id = p_workflow_id;
    return coalesce(v_finished, '{}'::jsonb)
           || case when v_open is null then '{}'::jsonb
                   else pg_catalog.jsonb_build_object('#open', v_open) end;
end
$$;
comment on function pgqrs._finished_steps(uuid) is
    'Private. The finished steps of a workflow as one JSON object, for replay.';

-- _grant_lease(workflow_id, owner, lease_seconds, recovered, now) -> token
-- Makes the workflow RUNNING under a new lease for p_owner, expiring at p_now + p_lease_seconds,
-- with the next fencing token, which it returns. With p_recovered (the previous holder died
-- holding it) the recovery count grows by one. The caller has locked the row and decided that
-- the grant is allowed. Locks: the workflow row.
create function pgqrs._grant_lease(
    p_workflow_id   uuid,
    p_owner         text,
    p_lease_seconds double precision,
    p_recovered     boolean,
    p_now           timestamptz
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
           recoveries = w.recoveries + p_recovered::integer
     where w.id = p_workflow_id
    returning w.lease_token into v_token;
    return v_token;
end
$$;
comment on function pgqrs._grant_lease(uuid, text, double precision, boolean, timestamptz) is
    'Private. Grants a new lease (and fencing token) on a workflow the caller has locked.';

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

-- _check_stale_seconds(seconds): raises PQ008 unless the staleness window is a finite number of
-- seconds greater than zero.
create function pgqrs._check_stale_seconds(p_seconds double precision)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_seconds is null or p_seconds <= 0
       or p_seconds in ('Infinity'::float8, 'NaN'::float8) then
        raise exception 'pgqrs: stale window must be a positive number of seconds, got %',
            coalesce(p_seconds::text, 'NULL')
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_stale_seconds(double precision) is
    'Private. Raises PQ008 unless a staleness window is a finite positive number of seconds.';

-- _worker_names(worker): the workflow names a registered worker serves, after recording that it
-- is alive: heartbeat_at = now, written only when the stored heartbeat is a second old or more
-- (or stopped_at is set), so that a worker claiming in a tight loop reads its row instead of
-- rewriting it each time. Raises PQ009 for an unknown worker. Locks: the worker row, when it
-- writes it.
create function pgqrs._worker_names(p_worker text)
returns text[]
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now   timestamptz := pgqrs.now();
    v_names text[];
    v_beat  timestamptz;
    v_gone  timestamptz;
begin
    select k.workflows, k.heartbeat_at, k.stopped_at into v_names, v_beat, v_gone
      from pgqrs.workers k
     where k.name = p_worker;
    if not found then
        perform pgqrs._raise_worker_not_found(p_worker);
    end if;
    if v_gone is not null or not (v_beat > v_now - interval '1 second' and v_beat <= v_now) then
        update pgqrs.workers k
           set heartbeat_at = v_now, stopped_at = null
         where k.name = p_worker
        returning k.workflows into v_names;
        if not found then
            perform pgqrs._raise_worker_not_found(p_worker);
        end if;
    end if;
    return v_names;
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
begin
    update pgqrs.workflows w
       set lease_owner = null,
           lease_expires_at = null,
           lease_token = w.lease_token + 1,
           recoveries = w.recoveries + p_recovered::integer,
           updated_at = pgqrs.now()
     where w.lease_owner = p_worker
       and w.status = 'RUNNING';
    get diagnostics v_released = row_count;
    if v_released > 0 then
        perform pg_catalog.pg_notify('pgqrs_work', '*');
    end if;
    return v_released;
end
$$;
comment on function pgqrs._release_worker_leases(text, boolean) is
    'Private. Releases the leases a worker holds (token + 1), optionally counting recoveries.';

-- _create_workflow(name, input, id, idempotency_key, queue, run_at, max_recoveries)
-- The body of create_workflow and start_workflow. With p_queue the workflow is enqueued for
-- workers (queued, available from p_run_at or now) and NOTIFY pgqrs_work announces its name; an
-- existing PENDING workflow that is not queued yet is enqueued the same way.
create function pgqrs._create_workflow(
    p_name            text,
    p_input           jsonb,
    p_id              uuid,
    p_idempotency_key text,
    p_queue           boolean,
    p_run_at          timestamptz,
    p_max_recoveries  integer
)
returns table (workflow_id uuid, created boolean, status text)
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now    timestamptz := pgqrs.now();
    v_id     uuid;
    v_by_id  pgqrs.workflows;
    v_by_key pgqrs.workflows;
    v_found  pgqrs.workflows;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_text('workflow name', p_name, 255);
    if p_idempotency_key is not null then
        perform pgqrs._check_text('idempotency key', p_idempotency_key, 255);
    end if;
    if p_max_recoveries is not null and p_max_recoveries < 0 then
        raise exception 'pgqrs: max recoveries must be 0 or more, got %', p_max_recoveries
            using errcode = 'PQ008';
    end if;
    perform pgqrs._check_payload('workflow input', p_input);

    for v_attempt in 1..3 loop
        insert into pgqrs.workflows as w (id, name, idempotency_key, input, created_at, updated_at,
                                          queued, available_at, max_recoveries)
        values (coalesce(p_id, pgqrs._uuid_v7()), p_name, p_idempotency_key, p_input, v_now, v_now,
                p_queue, case when p_queue then coalesce(p_run_at, v_now) end,
                coalesce(p_max_recoveries, 5))
        on conflict do nothing
        returning w.id into v_id;
        if v_id is not null then
            if p_queue then
                perform pg_catalog.pg_notify('pgqrs_work', p_name);
            end if;
            return query select v_id, true, 'PENDING'::text;
            return;
        end if;

        -- The id or the key exists already: return that workflow if the call matches it.
        v_by_id := null;
        v_by_key := null;
        if p_id is not null then
            select * into v_by_id from pgqrs.workflows w where w.id = p_id;
        end if;
        if p_idempotency_key is not null then
            select * into v_by_key from pgqrs.workflows w where w.idempotency_key = p_idempotency_key;
        end if;
        if v_by_id.id is not null then
            v_found := v_by_id;
        else
            v_found := v_by_key;
        end if;
        if v_found.id is null then
            continue;  -- the conflicting row was deleted meanwhile; insert again
        end if;
        if (p_id is not null and v_found.id is distinct from p_id)
           or (p_idempotency_key is not null and v_found.idempotency_key is distinct from p_idempotency_key)
           or v_found.name is distinct from p_name
           or v_found.input is distinct from p_input then
            raise exception 'pgqrs: workflow % already exists with a different %',
                v_found.id,
                case
                    when p_id is not null and v_found.id is distinct from p_id then 'id for that key'
                    when p_idempotency_key is not null
                         and v_found.idempotency_key is distinct from p_idempotency_key
                        then 'idempotency key'
                    when v_found.name is distinct from p_name then 'name (' || v_found.name || ')'
                    else 'input'
                end
                using errcode = 'PQ006',
                      hint = 'An id or idempotency key names one workflow; reuse it only for the same call.';
        end if;
        if p_queue and not v_found.queued and v_found.status = 'PENDING' then
            update pgqrs.workflows w
               set queued = true, available_at = coalesce(p_run_at, v_now), updated_at = v_now
             where w.id = v_found.id;
            perform pg_catalog.pg_notify('pgqrs_work', p_name);
        end if;
        return query select v_found.id, false, v_found.status;
        return;
    end loop;
    raise exception 'pgqrs: could not create workflow % after repeated conflicts', p_name
        using errcode = 'PQ006';
end
$$;
comment on function pgqrs._create_workflow(text, jsonb, uuid, text, boolean, timestamptz, integer) is
    'Private. Creates (and with p_queue enqueues) a workflow; idempotent on id and key.';

-- _finish_workflow(workflow_id, token, status, output, error): moves a RUNNING workflow held with
-- this token to its final status, ends the lease and announces it with NOTIFY pgqrs_done (payload:
-- the workflow id). A FAILED outcome while attempt < max_attempts is a workflow retry instead,
-- unless the error object has "retryable": false (the client's verdict on the exception):
-- the workflow stays RUNNING, keeps the error, loses its lease (token + 1) and is queued again
-- after _retry_delay, with its FAILED steps made RETRYING. A repeat of the same call (same token,
-- status and values) is a no-op; anything else raises through _raise_lease_error (past the
-- deadline: PQ011). Locks: the workflow row, then its FAILED step rows.
create function pgqrs._finish_workflow(
    p_workflow_id uuid,
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
    v_now    timestamptz := pgqrs.now();
    v_status text;
    v_token  bigint;
    v_output jsonb;
    v_error  jsonb;
    v_owner  text;
    v_tries  integer;
    v_max    integer;
begin
    if p_status = 'FAILED' then
        select w.attempt, w.max_attempts into v_tries, v_max from pgqrs.workflows w
         where w.id = p_workflow_id
           and w.lease_token = p_token
           and w.status = 'RUNNING'
           and (w.deadline_at is null or w.deadline_at > v_now)
           for no key update;
        if found and v_tries < v_max
           and (p_error ->> 'retryable') is distinct from 'false' then
            update pgqrs.workflows w
               set error = p_error,
                   lease_owner = null,
                   lease_expires_at = null,
                   lease_token = w.lease_token + 1,
                   queued = true,
                   available_at = v_now + pgqrs._retry_delay(
                       w.attempt, w.retry_backoff, w.retry_max_backoff) * interval '1 second',
                   attempt = w.attempt + 1,
                   updated_at = v_now
             where w.id = p_workflow_id;
            perform pgqrs._retry_failed_steps(p_workflow_id, v_now);
            return;
        end if;
    end if;
    update pgqrs.workflows w
       set status = p_status,
           output = p_output,
           error = p_error,
           lease_owner = null,
           lease_expires_at = null,
           finished_at = v_now,
           updated_at = v_now
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > v_now);
    if found then
        perform pg_catalog.pg_notify('pgqrs_done', p_workflow_id::text);
        -- Usually nobody awaits it: one probe of the (small) workflows_waiting index decides.
        -- A waiter cannot slip in between: it reads this row FOR SHARE before it suspends.
        if exists (select from pgqrs.workflows w
                    where w.waiting_for = 'workflow:' || p_workflow_id::text) then
            perform pgqrs._wake_waiters('workflow:' || p_workflow_id::text, null, v_now);
        end if;
        return;
    end if;
    select w.status, w.lease_token, w.output, w.error, w.lease_owner
      into v_status, v_token, v_output, v_error, v_owner
      from pgqrs.workflows w
     where w.id = p_workflow_id;
    if v_status = p_status and v_token = p_token
       and v_output is not distinct from p_output and v_error is not distinct from p_error then
        return;
    end if;
    -- A repeat of a fail_workflow that became a workflow retry: the token moved on by one.
    if p_status = 'FAILED' and v_status = 'RUNNING' and v_token = p_token + 1 and v_owner is null
       and v_error is not distinct from p_error then
        return;
    end if;
    perform pgqrs._raise_lease_error(p_workflow_id, p_token);
end
$$;
comment on function pgqrs._finish_workflow(uuid, bigint, text, jsonb, jsonb) is
    'Private. Moves a leased RUNNING workflow to SUCCESS or FAILED; idempotent for exact repeats.';

-------------------------------------------------------------------------------------------------
-- Public API
-------------------------------------------------------------------------------------------------

-- version(): the version of the installed SQL, for example '0.2.0'.
create function pgqrs.version()
returns text
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$ select '0.2.0'::text $$;
comment on function pgqrs.version() is 'The version of the installed pgqrs SQL.';

-- min_client_version(): the oldest pgqrs client release whose calls this schema still serves,
-- for example '0.1.0'. A client older than that must be upgraded before it talks to this schema;
-- any later client works (COMPATIBILITY above). Touches no table.
create function pgqrs.min_client_version()
returns text
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$ select '0.1.0'::text $$;
comment on function pgqrs.min_client_version() is
    'The oldest pgqrs client release this schema still serves.';

-- now(): the one clock of pgqrs. Returns the setting pgqrs.fake_now when it is set and not empty,
-- otherwise clock_timestamp(). Tests move time with SET pgqrs.fake_now = '...'. Faking time only
-- changes when leases look expired; fencing tokens keep writes safe whatever the clock says.
create function pgqrs.now()
returns timestamptz
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_fake text := pg_catalog.current_setting('pgqrs.fake_now', true);
begin
    if v_fake is null or v_fake = '' then
        return pg_catalog.clock_timestamp();
    end if;
    return v_fake::timestamptz;
end
$$;
comment on function pgqrs.now() is
    'The pgqrs clock: pgqrs.fake_now when set (tests), else clock_timestamp().';

-- error_codes(): the pgqrs SQLSTATEs with their names and meanings. Clients build their error
-- mapping from this table; a test keeps it equal to the codes raised in this file.
create function pgqrs.error_codes()
returns table (sqlstate text, name text, description text)
language sql
immutable
security definer
set search_path = pg_catalog, pg_temp
as $$
    values
        ('PQ001', 'workflow_not_found', 'No workflow has that id.'),
        ('PQ002', 'workflow_busy', 'Another owner holds a live lease on the workflow.'),
        ('PQ003', 'lease_lost', 'The fencing token is no longer current: the lease was taken over.'),
        ('PQ004', 'step_failed', 'The step failed before; DETAIL holds the stored error as JSON.'),
        ('PQ005', 'invalid_state', 'The call does not fit the current state of the workflow or step.'),
        ('PQ006', 'idempotency_conflict', 'An id or idempotency key is reused with a different name or input.'),
        ('PQ007', 'payload_too_large', 'A JSON value exceeds pgqrs.max_payload_bytes.'),
        ('PQ008', 'invalid_argument', 'A missing, empty or oversized name, key, owner or lease length.'),
        ('PQ009', 'worker_not_found', 'No worker is registered under that name.'),
        ('PQ010', 'workflow_code_changed', 'The step called at a position is not the one recorded there.'),
        ('PQ011', 'workflow_cancelled', 'The workflow was cancelled, or its deadline passed.'),
        ('PQ012', 'step_timed_out', 'The step ran past its timeout; its result is not recorded.')
$$;
comment on function pgqrs.error_codes() is 'The pgqrs SQLSTATEs (class PQ), their names and meanings.';

-- create_workflow(name, input, id, idempotency_key) -> (workflow_id, created, status)
-- Stores a PENDING workflow for the caller to run, and returns its id: a time-ordered UUID made
-- here unless p_id is given. Workers never claim it (see start_workflow).
-- Idempotent: if p_id or p_idempotency_key already names a workflow with the same name and input,
-- that workflow is returned with created = false; with a different name or input, PQ006. Safe under
-- races: INSERT ... ON CONFLICT DO NOTHING waits for a concurrent insert of the same key to commit,
-- then the existing row is read. Locks: the new row only.
-- Errors: PQ008 (empty or oversized name or key), PQ007 (input too large), PQ006.
create function pgqrs.create_workflow(
    p_name            text,
    p_input           jsonb default null,
    p_id              uuid default null,
    p_idempotency_key text default null
)
returns table (workflow_id uuid, created boolean, status text)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return query select * from pgqrs._create_workflow(
        p_name, p_input, p_id, p_idempotency_key, false, null::timestamptz, null::integer);
end
$$;
comment on function pgqrs.create_workflow(text, jsonb, uuid, text) is
    'Stores a PENDING workflow and returns its id. Idempotent on p_id and p_idempotency_key.';

-- acquire_workflow(workflow_id, owner, lease_seconds) -> one row
-- Starts or resumes a workflow: the one call a runner makes before replaying it. Returns the
-- input and every finished step as one JSON object
-- {"step_key": {"status": "SUCCESS"|"FAILED", "output": ..., "error": ...}, ...},
-- so replaying N finished steps costs no further round trip.
-- * SUCCESS, FAILED, DEAD or CANCELLED: takes no lease; returns that status with the stored
--   output or error. A PENDING or RUNNING workflow past its deadline is recorded CANCELLED first.
-- * PENDING or RUNNING: raises PQ002 if another owner holds a live lease. Otherwise grants the
--   lease to p_owner with a new fencing token (previous token + 1), sets RUNNING, and returns
--   the token. Taking over from a holder that died counts as a recovery (recoveries + 1).
-- The same owner may re-acquire a live lease at once; its earlier token is fenced out.
-- Locks: the workflow row (FOR NO KEY UPDATE). Errors: PQ001, PQ002, PQ008.
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
    perform pgqrs._check_text('owner', p_owner, 255);
    perform pgqrs._check_lease_seconds(p_lease_seconds);

    select * into v_wf from pgqrs.workflows w where w.id = p_workflow_id for no key update;
    if not found then
        raise exception 'pgqrs: workflow % does not exist', p_workflow_id
            using errcode = 'PQ001';
    end if;

    if v_wf.status in ('PENDING', 'RUNNING') and v_wf.deadline_at <= v_now then
        perform pgqrs._cancel(p_workflow_id, pgqrs._deadline_error(v_wf.deadline_at), v_now);
        select * into v_wf from pgqrs.workflows w where w.id = p_workflow_id;
    end if;

    v_steps := pgqrs._finished_steps(p_workflow_id);

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

    -- A RUNNING workflow with an owner was left by a holder that died (or by this owner's
    -- previous incarnation): taking it over is a recovery.
    v_token := pgqrs._grant_lease(p_workflow_id, p_owner, p_lease_seconds,
                                  v_wf.status = 'RUNNING' and v_wf.lease_owner is not null,
                                  v_now);
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
-- Errors: PQ001, PQ003, PQ005, PQ011, PQ012.
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
-- Locks: the workflow row. Errors: PQ001, PQ003, PQ005, PQ011.
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
    if v_queued then
        perform pg_catalog.pg_notify('pgqrs_work', v_name);
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
-- Errors: PQ001, PQ003, PQ005, PQ008 (NULL time), PQ011.
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
    if p_until <= v_now then
        perform pg_catalog.pg_notify('pgqrs_work', v_name);
    end if;
end
$$;
comment on function pgqrs.suspend_workflow(uuid, bigint, timestamptz) is
    'Releases the lease until a time; a worker resumes the workflow then.';

-- sleep_step(workflow_id, step_key, token, position, seconds, until, inline_seconds)
--   -> (status, wake_at, remaining)
-- A durable sleep: a wait step whose wake time (now + p_seconds, or p_until) is recorded when it
-- is first called, so a replay or a restarted worker never sleeps again from scratch. status:
--   DONE       the wake time has passed (recorded: the step is SUCCESS with {"wake_at": ...})
--   WAIT       it passes within p_inline_seconds: sleep `remaining` seconds in process, call again
--   SUSPENDED  the lease is given up until the wake time; a worker resumes the workflow then
-- Exactly one of p_seconds and p_until. Locks: the workflow row, then the step row.
-- Errors: PQ001, PQ003, PQ005, PQ008, PQ010, PQ011.
create function pgqrs.sleep_step(
    p_workflow_id    uuid,
    p_step_key       text,
    p_token          bigint,
    p_position       integer,
    p_seconds        double precision default null,
    p_until          timestamptz default null,
    p_inline_seconds double precision default 0
)
returns table (status text, wake_at timestamptz, remaining double precision)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now  timestamptz := pgqrs.now();
    v_wake timestamptz;
    v_step pgqrs.steps;
    v_more record;
begin
    if (p_seconds is null) = (p_until is null) then
        raise exception 'pgqrs: sleep needs exactly one of seconds and until' using errcode = 'PQ008';
    end if;
    perform pgqrs._check_wait_seconds('sleep seconds', p_seconds);
    if p_until is not null and not pg_catalog.isfinite(p_until) then
        raise exception 'pgqrs: sleep until must be a finite time, got %', p_until
            using errcode = 'PQ008';
    end if;
    v_wake := coalesce(p_until, v_now + p_seconds * interval '1 second');
    v_step := pgqrs._wait_step(p_workflow_id, p_step_key, p_token, p_position, v_wake);
    v_wake := coalesce((v_step.output ->> 'wake_at')::timestamptz, v_step.timeout_at);
    if v_step.status = 'WAITING' and v_wake <= v_now then
        perform pgqrs._end_wait(p_workflow_id, p_step_key,
                                pg_catalog.jsonb_build_object('wake_at', v_wake));
    elsif v_step.status = 'WAITING' then
        select * into v_more from pgqrs._wait_more(p_workflow_id, v_wake, null, p_inline_seconds) m;
        return query select v_more.status, v_wake, v_more.remaining;
        return;
    end if;
    return query select 'DONE'::text, v_wake, 0::float8;
end
$$;
comment on function pgqrs.sleep_step(uuid, text, bigint, integer, double precision, timestamptz,
                                     double precision) is
    'A durable sleep recorded as a step: DONE, WAIT (in process) or SUSPENDED (until the wake time).';

-- send_message(workflow_id, topic, message, idempotency_key) -> (message_id, created)
-- Queues a message for the workflow under a topic, from anywhere (another workflow, a client, a
-- psql session). Messages of one workflow and topic are received in the order they were sent.
-- With p_idempotency_key, sending again returns the first message (created = false) and
-- queues nothing; the same key with another topic or message raises PQ006. A workflow
-- suspended in recv_message on this topic is woken (NOTIFY pgqrs_work). Durable commit.
-- Locks: the workflow row (first: so a receiver cannot miss the wake-up), then the new row.
-- Errors: PQ001, PQ005 (the workflow is SUCCESS, FAILED or CANCELLED: nobody would receive
-- it), PQ006, PQ007, PQ008 (topic or key missing, empty or too long).
create function pgqrs.send_message(
    p_workflow_id     uuid,
    p_topic           text,
    p_message         jsonb,
    p_idempotency_key text default null
)
returns table (message_id bigint, created boolean)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now    timestamptz := pgqrs.now();
    v_status text;
    v_id     bigint;
    v_old    pgqrs.messages;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_text('topic', p_topic, 255);
    if p_idempotency_key is not null then
        perform pgqrs._check_text('idempotency key', p_idempotency_key, 255);
    end if;
    perform pgqrs._check_payload('message on topic ' || p_topic, p_message);
    select w.status into v_status
      from pgqrs.workflows w where w.id = p_workflow_id for no key update;
    if not found then
        raise exception 'pgqrs: workflow % does not exist', p_workflow_id
            using errcode = 'PQ001';
    end if;
    if p_idempotency_key is not null then
        select * into v_old from pgqrs.messages m
         where m.workflow_id = p_workflow_id and m.idempotency_key = p_idempotency_key;
        if found then
            if v_old.topic <> p_topic or v_old.message is distinct from p_message then
                raise exception 'pgqrs: message % to workflow % was sent with another topic or '
                                'message', p_idempotency_key, p_workflow_id
                    using errcode = 'PQ006';
            end if;
            return query select v_old.id, false;
            return;
        end if;
    end if;
    if v_status in ('SUCCESS', 'FAILED', 'CANCELLED') then
        raise exception 'pgqrs: workflow % is %: nobody would receive the message',
            p_workflow_id, v_status
            using errcode = 'PQ005';
    end if;
    insert into pgqrs.messages (workflow_id, topic, message, idempotency_key, sent_at)
    values (p_workflow_id, p_topic, p_message, p_idempotency_key, v_now)
    returning id into v_id;
    perform pgqrs._wake_waiters('message:' || p_topic, p_workflow_id, v_now);
    return query select v_id, true;
end
$$;
comment on function pgqrs.send_message(uuid, text, jsonb, text) is
    'Queues a message for a workflow under a topic (idempotent with a key) and wakes its receiver.';

-- recv_message(workflow_id, step_key, token, position, topic, timeout_seconds, inline_seconds)
--   -> (status, message, remaining)
-- Receives the next message on a topic as a wait step of the caller's run. The first call
-- records the step WAITING with its deadline (now + p_timeout_seconds; NULL: none). status:
--   RECEIVED   the oldest unconsumed message of the topic: it is consumed by this step, and the
--              step is SUCCESS with {"message": ...}
--   TIMEOUT    the deadline passed first: recorded as SUCCESS with {"timeout": true}, so a replay
--              returns TIMEOUT too, never a message that came later
--   WAIT       nothing yet, the deadline is within p_inline_seconds: poll in process
--   SUSPENDED  nothing yet: the lease is given up; a send_message on this topic, or the deadline,
--              makes the workflow available again
-- A replay of a finished receive returns its recorded outcome. Durable commit.
-- Locks: the workflow row, then the step row, then the message row.
-- Errors: PQ001, PQ003, PQ005, PQ008, PQ010, PQ011.
create function pgqrs.recv_message(
    p_workflow_id     uuid,
    p_step_key        text,
    p_token           bigint,
    p_position        integer,
    p_topic           text,
    p_timeout_seconds double precision default null,
    p_inline_seconds  double precision default 0
)
returns table (status text, message jsonb, remaining double precision)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now  timestamptz := pgqrs.now();
    v_step pgqrs.steps;
    v_msg  pgqrs.messages;
    v_more record;
begin
    perform pgqrs._check_text('topic', p_topic, 255);
    perform pgqrs._check_wait_seconds('receive timeout', p_timeout_seconds);
    v_step := pgqrs._wait_step(p_workflow_id, p_step_key, p_token, p_position,
                               v_now + p_timeout_seconds * interval '1 second');
    if v_step.status = 'SUCCESS' then
        if v_step.output ? 'timeout' then
            return query select 'TIMEOUT'::text, null::jsonb, 0::float8;
        else
            return query select 'RECEIVED'::text, v_step.output -> 'message', 0::float8;
        end if;
        return;
    end if;

    -- Past the deadline, only a message sent before it counts: the deadline passed first.
    select * into v_msg from pgqrs.messages m
     where m.workflow_id = p_workflow_id and m.topic = p_topic and m.consumed_by is null
       and (v_step.timeout_at is null or v_step.timeout_at > v_now
            or m.sent_at <= v_step.timeout_at)
     order by m.id
     limit 1
       for update;
    if found then
        update pgqrs.messages m set consumed_by = p_step_key, consumed_at = v_now
         where m.id = v_msg.id;
        perform pgqrs._end_wait(p_workflow_id, p_step_key,
                                pg_catalog.jsonb_build_object('message', v_msg.message));
        return query select 'RECEIVED'::text, v_msg.message, 0::float8;
        return;
    end if;
    if v_step.timeout_at <= v_now then
        perform pgqrs._end_wait(p_workflow_id, p_step_key, '{"timeout": true}'::jsonb);
        return query select 'TIMEOUT'::text, null::jsonb, 0::float8;
        return;
    end if;
    select * into v_more
      from pgqrs._wait_more(p_workflow_id, v_step.timeout_at, 'message:' || p_topic,
                            p_inline_seconds) m;
    return query select v_more.status, null::jsonb, v_more.remaining;
end
$$;
comment on function pgqrs.recv_message(uuid, text, bigint, integer, text, double precision,
                                       double precision) is
    'Receives the next message on a topic as a recorded wait step (a timeout is recorded too).';

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
-- Errors: PQ001 (either workflow), PQ003, PQ005, PQ008, PQ010, PQ011.
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
        raise exception 'pgqrs: workflow % does not exist', p_other_id using errcode = 'PQ001';
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

-- set_event(workflow_id, step_key, token, position, key, value)
-- Publishes p_value under the event key p_key of the caller's workflow, as a step: the first
-- call records the step SUCCESS and sets the event; a replay changes nothing, so a re-run never
-- puts an older value back. NOTIFY pgqrs_event (payload: '<workflow id> <key>'). Durable commit.
-- Locks: the workflow row, then the step row, then the event row.
-- Errors: PQ001, PQ003, PQ005, PQ007, PQ008, PQ010, PQ011.
create function pgqrs.set_event(
    p_workflow_id uuid,
    p_step_key    text,
    p_token       bigint,
    p_position    integer,
    p_key         text,
    p_value       jsonb
)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now  timestamptz := pgqrs.now();
    v_step pgqrs.steps;
begin
    perform pgqrs._check_text('event key', p_key, 255);
    perform pgqrs._check_payload('event ' || p_key, p_value);
    v_step := pgqrs._wait_step(p_workflow_id, p_step_key, p_token, p_position, null);
    if v_step.status = 'SUCCESS' then
        return;
    end if;
    insert into pgqrs.events as e (workflow_id, key, value, set_at)
    values (p_workflow_id, p_key, p_value, v_now)
    on conflict (workflow_id, key) do update set value = excluded.value, set_at = excluded.set_at;
    perform pgqrs._end_wait(p_workflow_id, p_step_key,
                            pg_catalog.jsonb_build_object('key', p_key));
    perform pg_catalog.pg_notify('pgqrs_event', p_workflow_id::text || ' ' || p_key);
end
$$;
comment on function pgqrs.set_event(uuid, text, bigint, integer, text, jsonb) is
    'Publishes a value under an event key of the workflow, as a step (replays change nothing).';

-- get_event(workflow_id, key) -> (found, value, set_at)
-- The value a workflow last published under p_key; found = false while it has published none.
-- Waiting for it is the caller's: LISTEN pgqrs_event and call again on '<workflow id> <key>'.
-- Read-only; no locks. Errors: PQ001, PQ008.
create function pgqrs.get_event(p_workflow_id uuid, p_key text)
returns table (found boolean, value jsonb, set_at timestamptz)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_text('event key', p_key, 255);
    perform 1 from pgqrs.workflows w where w.id = p_workflow_id;
    if not found then
        raise exception 'pgqrs: workflow % does not exist', p_workflow_id
            using errcode = 'PQ001';
    end if;
    return query
        select true, e.value, e.set_at from pgqrs.events e
         where e.workflow_id = p_workflow_id and e.key = p_key
        union all
        select false, null::jsonb, null::timestamptz
         where not exists (select 1 from pgqrs.events e
                            where e.workflow_id = p_workflow_id and e.key = p_key);
end
$$;
comment on function pgqrs.get_event(uuid, text) is
    'The value a workflow last published under an event key (found = false: none yet).';

-- acquire_step(workflow_id, step_key, token) -> (status, value, attempt)
-- * SUCCESS step: returns ('SKIPPED', stored output); nothing runs.
-- * unseen step, or RUNNING (left by a runner that died), or RETRYING (a newer client's retry,
--   run at once: this 0.1.0 call knows no backoff): records RUNNING with attempt + 1 and
--   returns ('EXECUTE', null). The caller runs the step and records complete_step or fail_step.
-- * FAILED step: raises PQ004 with the stored error (JSON) in DETAIL.
-- The token must be the workflow's current one. Asynchronous commit (see DURABILITY). Since
-- 0.2.0 begin_step is the step call with positions, retries and timeouts.
-- Locks: the step row; reads the workflow row without locking it.
-- Errors: PQ001, PQ003, PQ004, PQ005, PQ008, PQ011.
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
    v_token    bigint;
    v_owner    text;
    v_deadline timestamptz;
    v_attempt  integer;
    v_output   jsonb;
    v_error    jsonb;
begin
    perform pgqrs._async_commit();
    perform pgqrs._check_text('step key', p_step_key, 512);

    select w.status, w.lease_token, w.lease_owner, w.deadline_at
      into v_status, v_token, v_owner, v_deadline
      from pgqrs.workflows w where w.id = p_workflow_id;
    if v_status is distinct from 'RUNNING' or v_token is distinct from p_token
       or v_deadline <= v_now then
        perform pgqrs._raise_lease_error(p_workflow_id, p_token);
    end if;

    -- A RETRYING step (left by a newer client's retry policy) runs again at once: this 0.1.0
    -- call knows no backoff. begin_step is the call that honours it.
    insert into pgqrs.steps as s (workflow_id, step_key, status, attempt, lease_token, started_at,
                                  owner, attempt_started_at)
    values (p_workflow_id, p_step_key, 'RUNNING', 1, p_token, v_now, v_owner, v_now)
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

-- complete_step(workflow_id, step_key, token, output)
-- Records the step as SUCCESS with its output and extends the lease, in one durable commit.
-- Idempotent: completing a SUCCESS step again with an equal output is a no-op, so a client may
-- retry after a lost connection. A FAILED step, or a different output, raises PQ005.
-- Locks: the workflow row, then the step row. Errors: PQ001, PQ003, PQ005, PQ007, PQ008.
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
    perform pgqrs._check_text('step key', p_step_key, 512);
    perform pgqrs._check_payload('output of step ' || p_step_key, p_output);
    perform pgqrs._finish_step(p_workflow_id, p_step_key, p_token, 'SUCCESS', p_output, null);
end
$$;
comment on function pgqrs.complete_step(uuid, text, bigint, jsonb) is
    'Records a step as SUCCESS with its output (durable commit) and extends the lease.';

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
-- step row. Errors: PQ001, PQ003, PQ005, PQ007, PQ008, PQ010, PQ011, PQ012.
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
       or p_step_key !~ '[^[:space:]]' then
        perform pgqrs._check_text('step key', p_step_key, 512);
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
    if pg_catalog.pg_column_size(p_output) > pgqrs._max_payload_bytes() then
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
    select w.lease_owner into v_owner
      from pgqrs.workflows w
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > v_now)
       for share;
    if not found then
        perform pgqrs._raise_lease_error(p_workflow_id, p_token);
    end if;
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

-- fail_step(workflow_id, step_key, token, error)
-- Records the step as FAILED with its error and extends the lease, in one durable commit. The
-- error is stored as given when it is a JSON object (clients send {"type", "message",
-- "traceback"}); any other JSON value v is stored as {"type": null, "message": v as text}. An
-- error over pgqrs.max_payload_bytes is truncated, never refused (see _error_object).
-- Idempotent like complete_step: failing a FAILED step again with an equal error is a no-op.
-- Locks: the workflow row, then the step row. Errors: PQ001, PQ003, PQ005, PQ008.
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
    perform pgqrs._check_text('step key', p_step_key, 512);
    perform pgqrs._finish_step(
        p_workflow_id, p_step_key, p_token, 'FAILED', null, pgqrs._error_object(p_error));
end
$$;
comment on function pgqrs.fail_step(uuid, text, bigint, jsonb) is
    'Records a step as FAILED with its error (durable commit) and extends the lease.';

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
-- RUNNING marker only makes the step run again. Locks: the step row (no workflow row lock: the
-- token is read, and the outcome write verifies it again). Errors: PQ001, PQ003, PQ005, PQ008
-- (bad key, position, policy or timeout), PQ010, PQ011.
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
    v_status   text;
    v_token    bigint;
    v_owner    text;
    v_deadline timestamptz;
    v_policy   jsonb;
    v_timeout  timestamptz;
    v_step     pgqrs.steps;
    v_error    jsonb;
    v_delay    double precision;
begin
    perform pgqrs._async_commit();
    perform pgqrs._check_text('step key', p_step_key, 512);
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

    select w.status, w.lease_token, w.lease_owner, w.deadline_at
      into v_status, v_token, v_owner, v_deadline
      from pgqrs.workflows w where w.id = p_workflow_id;
    if v_status is distinct from 'RUNNING' or v_token is distinct from p_token
       or v_deadline <= v_now then
        perform pgqrs._raise_lease_error(p_workflow_id, p_token);
    end if;

    -- The common case, a new step at a free position, is this one insert. It conflicts when the
    -- key exists (a replay, a retry or an abandoned attempt) or when the position is taken.
    insert into pgqrs.steps as s (workflow_id, step_key, status, attempt, lease_token,
                                  started_at, owner, attempt_started_at, position, policy,
                                  timeout_at)
    values (p_workflow_id, p_step_key, 'RUNNING', 1, p_token, v_now, v_owner, v_now,
            p_position, v_policy, v_timeout)
    on conflict do nothing;
    if found then
        return query select 'EXECUTE'::text, null::jsonb, 1, 0::float8;
        return;
    end if;

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

-- fail_step_attempt(workflow_id, step_key, token, error, retryable) -> (status, attempt, retry_in)
-- Records a failed attempt of a RUNNING step (in step_attempts, and as the step's error), then
-- applies the policy begin_step stored: when p_retryable and fewer than max_attempts attempts
-- failed since the step's last fresh budget, the step becomes RETRYING and is due in retry_in
-- seconds (_retry_delay); otherwise it is FAILED for good (retry_in 0). Extends the lease, in one
-- durable commit. Idempotent: a repeat with the same error returns the same answer. The error is
-- stored like fail_step's. Locks: the workflow row, then the step row.
-- Errors: PQ001, PQ003, PQ005 (the step is not RUNNING and this is no repeat), PQ008, PQ011.
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
    perform pgqrs._check_text('step key', p_step_key, 512);
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

-- complete_workflow(workflow_id, token, output)
-- Marks the workflow SUCCESS with its output and ends the lease, in one durable commit. A repeat
-- with the same token and an equal output is a no-op. Locks: the workflow row.
-- Errors: PQ001, PQ003, PQ005, PQ007, PQ011 (cancelled, or past the deadline).
create function pgqrs.complete_workflow(p_workflow_id uuid, p_token bigint, p_output jsonb)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_setting text;
begin
    v_setting := pg_catalog.set_config('synchronous_commit', 'on', true);
    if pg_catalog.pg_column_size(p_output) > pgqrs._max_payload_bytes() then
        perform pgqrs._check_payload('workflow output', p_output);
    end if;
    perform pgqrs._finish_workflow(p_workflow_id, p_token, 'SUCCESS', p_output, null);
end
$$;
comment on function pgqrs.complete_workflow(uuid, bigint, jsonb) is
    'Marks the workflow SUCCESS with its output and ends the lease (durable commit).';

-- fail_workflow(workflow_id, token, error)
-- Marks the workflow FAILED with its error (normalized and truncated as in fail_step) and ends
-- the lease, in one durable commit. A workflow with attempts left (attempt < max_attempts, set
-- by submit_workflow) is retried instead, unless the error object says "retryable": false: it
-- stays RUNNING with the error recorded, its lease ends (token + 1) and it is queued again after
-- _retry_delay, its FAILED steps made RETRYING (see _finish_workflow). A repeat with the same
-- token and an equal error is a no-op either way. Locks: the workflow row, then its FAILED step
-- rows. Errors: PQ001, PQ003, PQ005, PQ008, PQ011 (cancelled, or past the deadline).
create function pgqrs.fail_workflow(p_workflow_id uuid, p_token bigint, p_error jsonb)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_error jsonb := pgqrs._error_object(p_error);
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._finish_workflow(p_workflow_id, p_token, 'FAILED', null, v_error);
end
$$;
comment on function pgqrs.fail_workflow(uuid, bigint, jsonb) is
    'Marks the workflow FAILED with its error and ends the lease (durable commit).';

-- get_workflow(workflow_id) -> one row: everything about a workflow but its steps.
-- Read-only, takes no lock. Errors: PQ001.
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
-- Errors: PQ001.
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
        raise exception 'pgqrs: workflow % does not exist', p_workflow_id
            using errcode = 'PQ001';
    end if;
end
$$;
comment on function pgqrs.describe_workflow(uuid) is
    'One workflow''s status, values, lease, deadline and retry policy.';

-- list_steps(workflow_id) -> one row per step, in the order they were first started.
-- Read-only, takes no lock. Errors: PQ001.
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
    perform 1 from pgqrs.workflows w where w.id = p_workflow_id;
    if not found then
        raise exception 'pgqrs: workflow % does not exist', p_workflow_id
            using errcode = 'PQ001';
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
-- Errors: PQ001.
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
    perform 1 from pgqrs.workflows w where w.id = p_workflow_id;
    if not found then
        raise exception 'pgqrs: workflow % does not exist', p_workflow_id
            using errcode = 'PQ001';
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

-------------------------------------------------------------------------------------------------
-- Workers: queued workflows, claims, recovery
-------------------------------------------------------------------------------------------------

-- start_workflow(name, input, id, idempotency_key, run_at, max_recoveries)
--   -> (workflow_id, created, status)
-- Like create_workflow, but enqueues the workflow for workers: they claim it from p_run_at (now by
-- default), and NOTIFY pgqrs_work (payload: the name) wakes idle workers at commit. Idempotent on
-- p_id and p_idempotency_key as create_workflow is; an existing PENDING workflow made by
-- create_workflow is enqueued. p_max_recoveries (default 5) caps how often the workflow may be
-- taken over from a worker that died before it is moved to DEAD.
-- Locks: the new row. Errors: PQ006, PQ007, PQ008.
create function pgqrs.start_workflow(
    p_name            text,
    p_input           jsonb default null,
    p_id              uuid default null,
    p_idempotency_key text default null,
    p_run_at          timestamptz default null,
    p_max_recoveries  integer default null
)
returns table (workflow_id uuid, created boolean, status text)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return query select * from pgqrs._create_workflow(
        p_name, p_input, p_id, p_idempotency_key, true, p_run_at, p_max_recoveries);
end
$$;
comment on function pgqrs.start_workflow(text, jsonb, uuid, text, timestamptz, integer) is
    'Stores a workflow and enqueues it for workers (NOTIFY pgqrs_work). Idempotent on id and key.';

-- submit_workflow(name, input, options) -> (workflow_id, created, status)
-- create_workflow and start_workflow in one call with every option, so that a workflow is never
-- visible to a worker before its policies are set. p_options is a JSON object; every key is
-- optional and an unknown key raises PQ008:
--   id (uuid), idempotency_key (text)      as in create_workflow (idempotent on either)
--   queue (boolean, default true)          true: enqueue for workers (start_workflow);
--                                          false: the caller runs it (create_workflow)
--   run_at (timestamptz)                   with queue: not claimed before then
--   max_recoveries (integer)               as in start_workflow (default 5)
--   deadline (timestamptz)                 cancel the workflow if it is not finished by then
--   timeout_seconds (number)               deadline = now + timeout_seconds
--   max_attempts (integer, default 1)      workflow retries: fail_workflow re-queues it
--   retry_backoff_seconds (default 1)      ... after _retry_delay(attempt, backoff, max)
--   retry_max_backoff_seconds (default 3600)
--   parent_id (uuid)                       the workflow starting this one as its child:
--                                          cancelling the parent cancels the child
-- An existing workflow (same id or key) is returned as it is, options unchanged.
-- Errors: PQ006, PQ007, PQ008.
create function pgqrs.submit_workflow(
    p_name    text,
    p_input   jsonb,
    p_options jsonb default '{}'
)
returns table (workflow_id uuid, created boolean, status text)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_options  jsonb := coalesce(p_options, '{}'::jsonb);
    v_unknown  text;
    v_queue    boolean;
    v_deadline timestamptz;
    v_attempts integer;
    v_backoff  double precision;
    v_max      double precision;
    v_parent   uuid;
    v_row      record;
begin
    if pg_catalog.jsonb_typeof(v_options) <> 'object' then
        raise exception 'pgqrs: options must be a JSON object' using errcode = 'PQ008';
    end if;
    select k into v_unknown
      from pg_catalog.jsonb_object_keys(v_options) k
     where k not in ('id', 'idempotency_key', 'queue', 'run_at', 'max_recoveries', 'deadline',
                     'timeout_seconds', 'max_attempts', 'retry_backoff_seconds',
                     'retry_max_backoff_seconds', 'parent_id')
     limit 1;
    if found then
        raise exception 'pgqrs: unknown workflow option %', v_unknown using errcode = 'PQ008';
    end if;
    begin
        v_queue := coalesce((v_options ->> 'queue')::boolean, true);
        v_deadline := (v_options ->> 'deadline')::timestamptz;
        if v_options ? 'timeout_seconds' then
            if not ((v_options ->> 'timeout_seconds')::float8 > 0) then
                raise exception using errcode = '22023';
            end if;
            v_deadline := least(v_deadline, pgqrs.now()
                + (v_options ->> 'timeout_seconds')::float8 * interval '1 second');
        end if;
        v_attempts := coalesce((v_options ->> 'max_attempts')::integer, 1);
        v_backoff := coalesce((v_options ->> 'retry_backoff_seconds')::float8, 1);
        v_max := coalesce((v_options ->> 'retry_max_backoff_seconds')::float8,
                          greatest(3600, v_backoff));
        v_parent := (v_options ->> 'parent_id')::uuid;
        select * into v_row
          from pgqrs._create_workflow(
              p_name, p_input, (v_options ->> 'id')::uuid, v_options ->> 'idempotency_key',
              v_queue, (v_options ->> 'run_at')::timestamptz,
              (v_options ->> 'max_recoveries')::integer) c;
    exception
        when invalid_text_representation or invalid_datetime_format or datetime_field_overflow
             or numeric_value_out_of_range or invalid_parameter_value then
            raise exception 'pgqrs: invalid workflow options %: %', v_options::text, sqlerrm
                using errcode = 'PQ008';
    end;
    perform pgqrs._check_policy(v_attempts, v_backoff, v_max);
    if v_parent is not null then
        perform 1 from pgqrs.workflows w where w.id = v_parent;
        if not found then
            raise exception 'pgqrs: parent workflow % does not exist', v_parent
                using errcode = 'PQ001';
        end if;
    end if;
    if v_row.created and (v_deadline is not null or v_attempts <> 1 or v_backoff <> 1
                          or v_max <> 3600 or v_parent is not null) then
        update pgqrs.workflows w
           set deadline_at = v_deadline, max_attempts = v_attempts, retry_backoff = v_backoff,
               retry_max_backoff = v_max, parent_id = v_parent
         where w.id = v_row.workflow_id;
    end if;
    return query select v_row.workflow_id, v_row.created, v_row.status;
end
$$;
comment on function pgqrs.submit_workflow(text, jsonb, jsonb) is
    'Creates or enqueues a workflow with options (deadline, retries, schedule); idempotent.';

-- register_worker(worker, workflows, concurrency, hostname, pid) -> leases released
-- Records a worker, the workflow names it serves and its concurrency, and marks it alive. A
-- worker name identifies one live process: registering again (a restart) ends the previous
-- incarnation, so the leases it still held are released at once and counted as recoveries
-- (that process died holding them; their tokens move on), and NOTIFY pgqrs_work announces them.
-- Returns how many leases were released. Also forgets workers stopped or silent for more than a
-- day, so pgqrs.workers does not grow without bound. Locks: the worker row, then the workflow
-- rows it held.
-- Errors: PQ008 (empty or oversized name, a NULL or empty-named list, concurrency not > 0).
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
    foreach v_name in array p_workflows loop
        perform pgqrs._check_text('workflow name', v_name, 255);
    end loop;
    if p_concurrency is null or p_concurrency < 1 then
        raise exception 'pgqrs: worker concurrency must be 1 or more, got %', p_concurrency
            using errcode = 'PQ008';
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
-- heartbeat. Locks: the worker row. Errors: PQ009.
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

-- claim_workflows(worker, limit, lease_seconds)
--   -> (workflow_id, name, token, input, steps, recovered)
-- Hands the worker up to p_limit runnable workflows among the names it serves, oldest
-- available_at first, each under a new lease with its fencing token, its input and its finished
-- steps (as acquire_workflow returns them): everything needed to run it, in one call. Runnable
-- means queued, PENDING or RUNNING, available (available_at <= now), and with no live lease:
-- never leased, released, or expired. An expired lease is reaped right here, so no reaper job
-- exists: taking it over is a recovery (recovered = true). A workflow whose recoveries would
-- exceed its max_recoveries is not handed out: it becomes DEAD with a pgqrs.CrashLoop error (its
-- token moves on, fencing out the holder that was declared dead) and NOTIFY pgqrs_done announces
-- it; revive_workflow brings it back. A workflow moved to DEAD uses up a place in p_limit, so a
-- claim may return fewer rows while more are runnable; next_claim_at then says so.
-- Rows locked by another claimer are skipped (FOR NO KEY UPDATE SKIP LOCKED), so concurrent
-- workers never wait for each other and never get the same workflow. Also records the worker's
-- heartbeat. First it cancels up to 100 workflows whose deadline has passed (whoever holds them:
-- the new token fences the holder out), and it never hands out one past its deadline.
-- Locks: the worker row, then the workflow rows past their deadline, then the claimed ones.
-- Errors: PQ008 (limit not in 1..1000, bad lease length), PQ009.
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
-- Walk workflows_claimable in order and stop after p_limit rows, whatever the statistics say:
-- with a stale row estimate (a queue that just filled up) the planner would rather fetch every
-- claimable row and sort them, which makes each claim cost as much as the whole queue.
set enable_sort = off
as $$
declare
    v_now       timestamptz := pgqrs.now();
    v_names     text[];
    v_wf        record;
    v_recovered boolean;
    v_crashes   integer;
    v_ids       uuid[];
    v_id        uuid;
    v_setting   text;
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
    v_names := pgqrs._worker_names(p_worker);

    -- Deadlines: a workflow past its deadline is cancelled, whoever holds it (a stuck runner is
    -- fenced out by the new token). Usually there is none: one probe of workflows_deadline.
    if exists (select from pgqrs.workflows w
                where w.deadline_at <= v_now and w.status in ('PENDING', 'RUNNING')) then
        for v_wf in
            select w.id, w.deadline_at
              from pgqrs.workflows w
             where w.deadline_at <= v_now
               and w.status in ('PENDING', 'RUNNING')
             order by w.deadline_at
             limit 100
               for no key update skip locked
        loop
            perform pgqrs._cancel(v_wf.id, pgqrs._deadline_error(v_wf.deadline_at), v_now);
        end loop;
    end if;

    -- The ids first, locked, into an array (a loop over a query would open a cursor, which
    -- costs more than the rest of a one-row claim); then each row, already locked by us.
    v_ids := array(
        select w.id
          from pgqrs.workflows w
         where w.queued
           and w.status in ('PENDING', 'RUNNING')
           and w.available_at <= v_now
           and (w.lease_expires_at is null or w.lease_expires_at <= v_now)
           and (w.deadline_at is null or w.deadline_at > v_now)
           and w.name = any (v_names)
         order by w.available_at, w.id
         limit p_limit
           for no key update skip locked);
    foreach v_id in array v_ids loop
        select w.id, w.name, w.status, w.lease_owner, w.recoveries, w.max_recoveries, w.input,
               w.forked_from
          into v_wf
          from pgqrs.workflows w
         where w.id = v_id;
        v_recovered := v_wf.status = 'RUNNING' and v_wf.lease_owner is not null;
        v_crashes := v_wf.recoveries + v_recovered::integer;
        if v_crashes > v_wf.max_recoveries then
            update pgqrs.workflows w
               set status = 'DEAD',
                   recoveries = v_crashes,
                   error = pg_catalog.jsonb_build_object(
                       'type', 'pgqrs.CrashLoop',
                       'message', pg_catalog.format(
                           'its runner died %s times (max_recoveries is %s)',
                           v_crashes, v_wf.max_recoveries),
                       'traceback', null),
                   lease_owner = null,
                   lease_expires_at = null,
                   lease_token = w.lease_token + 1,
                   updated_at = v_now
             where w.id = v_wf.id;
            perform pg_catalog.pg_notify('pgqrs_done', v_wf.id::text);
            perform pgqrs._wake_waiters('workflow:' || v_wf.id::text, null, v_now);
            continue;
        end if;
        -- A PENDING workflow has never run, so it has no finished steps to load, unless it is
        -- a fork, which starts with the steps it copied.
        workflow_id := v_wf.id;
        name := v_wf.name;
        token := pgqrs._grant_lease(v_wf.id, p_worker, p_lease_seconds, v_recovered, v_now);
        input := v_wf.input;
        steps := case when v_wf.status = 'PENDING' and v_wf.forked_from is null then '{}'::jsonb
                      else pgqrs._finished_steps(v_wf.id) end;
        recovered := v_recovered;
        return next;
    end loop;
end
$$;
comment on function pgqrs.claim_workflows(text, integer, double precision) is
    'Hands a worker up to p_limit runnable workflows under new leases (SKIP LOCKED); reaps '
    'expired leases and moves crash-looping workflows to DEAD.';

-- next_claim_at(worker) -> timestamptz
-- The earliest time at which a workflow this worker serves becomes claimable (its available_at,
-- or the expiry of its current lease), NULL when there is none; may be in the past. A worker that
-- found nothing to claim sleeps until then, or until NOTIFY pgqrs_work. Read-only; no locks.
-- Errors: PQ009.
create function pgqrs.next_claim_at(p_worker text)
returns timestamptz
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_names text[];
begin
    select k.workflows into v_names from pgqrs.workers k where k.name = p_worker;
    if not found then
        perform pgqrs._raise_worker_not_found(p_worker);
    end if;
    return (
        select min(greatest(w.available_at, coalesce(w.lease_expires_at, w.available_at)))
          from pgqrs.workflows w
         where w.queued
           and w.status in ('PENDING', 'RUNNING')
           and w.name = any (v_names));
end
$$;
comment on function pgqrs.next_claim_at(text) is
    'When the next workflow this worker serves becomes claimable (NULL: none).';

-- stop_worker(worker) -> leases released
-- Marks the worker stopped and releases every lease it still holds, as release_workflow does
-- (the tokens move on, fencing out anything of this worker still running), so that other
-- workers resume that work at once (NOTIFY pgqrs_work); not a recovery. A stopping worker calls
-- it after its grace period. Locks: the worker row, then the workflow rows it held. Errors: PQ009.
create function pgqrs.stop_worker(p_worker text)
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    update pgqrs.workers k set stopped_at = pgqrs.now() where k.name = p_worker;
    if not found then
        perform pgqrs._raise_worker_not_found(p_worker);
    end if;
    return pgqrs._release_worker_leases(p_worker, false);
end
$$;
comment on function pgqrs.stop_worker(text) is
    'Marks a worker stopped and releases its leases so others resume at once.';

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

-- list_workers(stale_seconds) -> one row per registered worker
-- alive: not stopped and heard from within p_stale_seconds (default 30). running: the workflows
-- it holds a live lease on. Read-only; no locks. Errors: PQ008 (window NULL, not positive or
-- not finite).
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
-- Read-only; no locks. Errors: PQ008 (window NULL, not positive or not finite).
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

-- list_workflows(status, name, limit) -> the newest workflows first, optionally filtered.
-- Read-only; no locks. Errors: PQ008 (limit not in 1..10000).
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
    if p_limit is null or p_limit < 1 or p_limit > 10000 then
        raise exception 'pgqrs: limit must be between 1 and 10000, got %', p_limit
            using errcode = 'PQ008';
    end if;
    return query
        select w.id, w.name, w.status, w.lease_owner, w.recoveries, w.created_at, w.updated_at,
               w.finished_at
          from pgqrs.workflows w
         where (p_status is null or w.status = p_status)
           and (p_name is null or w.name = p_name)
         order by w.created_at desc, w.id desc
         limit p_limit;
end
$$;
comment on function pgqrs.list_workflows(text, text, integer) is
    'The newest workflows, optionally filtered by status and name.';

-------------------------------------------------------------------------------------------------
-- Privileges and ledger
-------------------------------------------------------------------------------------------------

-- Nothing is executable by PUBLIC. Grant EXECUTE on the API functions to an application role
-- (docs/sql-api.md, "Roles"); the private _ functions are granted to nobody.
revoke all on all functions in schema pgqrs from public;

-- Installed as an extension (CREATE EXTENSION pgqrs), the data tables are marked as
-- configuration tables so that pg_dump saves their rows. The ledger is not: the extension's own
-- scripts fill it again on restore.
do $$
begin
    if exists (select from pg_catalog.pg_extension e where e.extname = 'pgqrs') then
        perform pg_catalog.pg_extension_config_dump('pgqrs.workflows', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.steps', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.workers', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.step_attempts', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.messages', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.messages_id_seq', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.events', '');
    end if;
end
$$;

insert into pgqrs.ledger (version) values ('0.2.0');
