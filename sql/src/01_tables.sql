-- The schema and its tables and indexes. New columns go last: an upgrade adds them there
-- (sql/src/upgrades/), and a test compares a fresh install with an upgraded one.

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
    claim_id         uuid,
    traceparent      text,
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
comment on column pgqrs.workflows.claim_id is
    'The claim (claim_workflows'' p_claim_id) that granted the current lease, so that a retried '
    'claim returns the same workflows.';
comment on column pgqrs.workflows.traceparent is
    'The W3C traceparent of the code that started the workflow (submit_workflow option '
    'traceparent), continued by the worker that runs it (docs/observability.md).';

-- What claim_workflows scans, per workflow name: queued workflows that no one holds, in the order
-- they become available. Step writes change only lease_expires_at, which no index covers, so
-- they stay HOT updates.
create index workflows_claimable on pgqrs.workflows (name, available_at, id)
    where queued and status in ('PENDING', 'RUNNING') and lease_owner is null;
-- Queued workflows under a lease, per name: where claim_workflows looks for expired leases to take
-- over. As many rows as workflows running, whatever the size of the queue.
create index workflows_leased on pgqrs.workflows (name)
    where queued and status = 'RUNNING' and lease_owner is not null;
-- Who holds what: register_worker, stop_worker and list_workers look leases up by owner, and a
-- retried claim its own leases by owner and claim id, one probe however many leases the owner
-- held before (under a held-back xmin horizon, each of those leaves an entry no one can remove).
create index workflows_lease_owner on pgqrs.workflows (lease_owner, claim_id)
    where lease_owner is not null;
-- Deadlines to enforce: claim_workflows cancels the workflows whose deadline has passed.
create index workflows_deadline on pgqrs.workflows (deadline_at)
    where deadline_at is not null and status in ('PENDING', 'RUNNING');
-- Children, for cancelling them with their parent.
create index workflows_parent on pgqrs.workflows (parent_id) where parent_id is not null;
-- Waiters, for waking them when what they wait for happens.
create index workflows_waiting on pgqrs.workflows (waiting_for) where waiting_for is not null;
-- Listings, newest first with keyset pagination: all, by name, and by status (SUCCESS, the common
-- case, is found by scanning workflows_created instead).
create index workflows_created on pgqrs.workflows (created_at, id);
create index workflows_name_created on pgqrs.workflows (name, created_at, id);
create index workflows_status_created on pgqrs.workflows (status, created_at, id)
    where status <> 'SUCCESS';
-- Finished trees to prune (pgqrs.prune), oldest first: roots only (a child goes with its
-- root). The id makes the order total, so that a pass can resume after any root.
create index workflows_finished on pgqrs.workflows (updated_at, id)
    where parent_id is null and status in ('SUCCESS', 'FAILED', 'CANCELLED', 'DEAD');
-- Throughput over the last minutes (pgqrs.workflow_throughput): workflows by the time they
-- finished, with their outcome, read index-only. One entry per finished workflow, written with
-- its outcome (an update that is not HOT anyway: it changes the status).
create index workflows_finished_at on pgqrs.workflows (finished_at, status)
    where finished_at is not null;

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
-- Begun steps with a timeout, for heartbeat's check that none is over it: a workflow's other
-- steps are never read.
create index steps_timeout on pgqrs.steps (workflow_id, timeout_at)
    where status = 'RUNNING' and timeout_at is not null;

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
-- Consumed messages, oldest first, for pgqrs.prune: a receive records its message on its
-- step, so the row is only kept for send_message's idempotency key.
create index messages_consumed on pgqrs.messages (consumed_at) where consumed_by is not null;

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

create table pgqrs.deferred (
    workflow_id uuid not null,
    action      text not null check (action in ('cancel', 'wake')),
    error       jsonb,
    created_at  timestamptz not null,
    primary key (workflow_id, action)
);
comment on table pgqrs.deferred is
    'Cancels and wake-ups that found the workflow row locked: claim_workflows applies them '
    'later, so that no cancel or claim ever waits for another transaction''s row lock.';

create table pgqrs.instance (
    singleton  boolean primary key default true check (singleton),
    notify_key bytea not null,
    created_at timestamptz not null default pg_catalog.clock_timestamp()
);
comment on table pgqrs.instance is
    'One row: this install''s secret key, which turns notification payloads into opaque tags.';
insert into pgqrs.instance (notify_key)
values (pg_catalog.decode(pg_catalog.replace(
            pg_catalog.gen_random_uuid()::text || pg_catalog.gen_random_uuid()::text, '-', ''),
        'hex'));

create table pgqrs.prune_cursor (
    singleton    boolean primary key default true check (singleton),
    updated_at   timestamptz not null,
    id           uuid not null,
    include_dead boolean not null,
    moved_at     timestamptz not null
);
comment on table pgqrs.prune_cursor is
    'Where the pass of pgqrs.prune in progress stands among the finished roots, in '
    '(updated_at, id) order; no row between passes.';

revoke all on all tables in schema pgqrs from public;
