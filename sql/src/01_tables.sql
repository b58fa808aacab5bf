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
    queue            text not null default 'default',
    priority         integer not null default 0,
    concurrency_key  text,
    debounce_key     text,
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
comment on column pgqrs.workflows.queue is
    'The queue the workflow waits in for a worker (pgqrs.queues holds its limits, if any).';
comment on column pgqrs.workflows.priority is
    'Within its queue, a higher priority is claimed first; FIFO within a priority.';
comment on column pgqrs.workflows.concurrency_key is
    'Workflows of one key (a tenant, say) are limited together and served round-robin.';
comment on column pgqrs.workflows.debounce_key is
    'Starting again with this key while it waits postpones it and keeps the latest input.';
comment on column pgqrs.workflows.traceparent is
    'The W3C traceparent of the code that started the workflow (submit_workflow option '
    'traceparent), continued by the worker that runs it (docs/observability.md).';

-- What a claim scans, per queue and workflow name: queued workflows that no one holds and that
-- have no concurrency key, highest priority first, then in the order they become available.
-- Step writes change only lease_expires_at, which no index covers, so they stay HOT updates.
create index workflows_claimable
    on pgqrs.workflows (queue, name, (- priority), available_at, id)
    where queued and status in ('PENDING', 'RUNNING') and lease_owner is null
      and concurrency_key is null;
-- The same for workflows with a concurrency key, key by key (served round-robin).
create index workflows_claimable_keyed
    on pgqrs.workflows (queue, concurrency_key, (- priority), available_at, id)
    where queued and status in ('PENDING', 'RUNNING') and lease_owner is null
      and concurrency_key is not null;
-- Workflows without a concurrency key that ran before and wait to resume (suspended, released,
-- retrying), per queue and name, in claim order: under a rate limit with no permit left, a claim
-- (and next_claim_at) finds those, which need no permit, without reading the first starts queued
-- ahead of them. Only rows in that state have an entry: a workflow that runs to the end in one
-- go has none.
create index workflows_resumable
    on pgqrs.workflows (queue, name, (- priority), available_at, id)
    where queued and status = 'RUNNING' and lease_owner is null and concurrency_key is null;
-- The same for workflows with a concurrency key, key by key.
create index workflows_resumable_keyed
    on pgqrs.workflows (queue, concurrency_key, (- priority), available_at, id)
    where queued and status = 'RUNNING' and lease_owner is null and concurrency_key is not null;
-- Running workflows with a concurrency key: how many run per key.
create index workflows_running_keyed on pgqrs.workflows (queue, concurrency_key)
    where status = 'RUNNING' and lease_owner is not null and concurrency_key is not null;
-- At most one debounced workflow waits per name and debounce key.
create unique index workflows_debounce on pgqrs.workflows (name, debounce_key)
    where status = 'PENDING' and debounce_key is not null;
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
-- case, is found by scanning workflows_created instead). The status index also requires
-- created_at > '-infinity', which every row meets and only list_workflows_page states, so that
-- no other query can use it: a lookup by id that also checks the status (record_step's,
-- complete_workflow's) was planned through it whenever the statistics said that few workflows
-- are RUNNING, and then read every RUNNING entry of the index, which while the xmin horizon is
-- held back means one for every workflow run since.
create index workflows_created on pgqrs.workflows (created_at, id);
create index workflows_name_created on pgqrs.workflows (name, created_at, id);
create index workflows_status_created on pgqrs.workflows (status, created_at, id)
    where status <> 'SUCCESS' and created_at > '-infinity';
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
    stopped_at   timestamptz,
    -- Whether the worker has rows in pgqrs.queue_waiters (its last claim found a queue full), so
    -- that a claim that found none full looks there only when there is something to clear.
    waiting      boolean not null default false
);
comment on table pgqrs.workers is
    'Registered workers: the workflow names each serves, and its last heartbeat.';

create table pgqrs.queues (
    name               text primary key,
    concurrency        integer check (concurrency between 1 and 100000),
    worker_concurrency integer check (worker_concurrency between 1 and 10000),
    rate_limit         integer check (rate_limit between 1 and 100000),
    rate_period        interval,
    key_concurrency    integer check (key_concurrency between 1 and 10000),
    paused             boolean not null default false,
    created_at         timestamptz not null,
    updated_at         timestamptz not null,
    check ((rate_limit is null) = (rate_period is null))
);
comment on table pgqrs.queues is
    'Queues with limits, changed at run time (set_queue); a queue without a row has none.';

-- One row per slot of a queue's global concurrency: its holder, when a workflow holds it.
create table pgqrs.queue_slots (
    queue       text not null,
    slot        integer not null,
    workflow_id uuid,
    primary key (queue, slot)
);
comment on table pgqrs.queue_slots is
    'The slots of a queue''s concurrency limit: a workflow runs in its queue holding one.';
create index queue_slots_free on pgqrs.queue_slots (queue, slot) where workflow_id is null;
create index queue_slots_holder on pgqrs.queue_slots (workflow_id) where workflow_id is not null;

-- One row per queue a worker found full at its last claim (it may sleep until a slot frees): a run
-- that frees a slot of a queue without a row here sends no NOTIFY (_free_slot, next_claim_at).
create table pgqrs.queue_waiters (
    queue  text not null,
    worker text not null references pgqrs.workers (name) on delete cascade,
    primary key (queue, worker)
);
comment on table pgqrs.queue_waiters is
    'Workers whose last claim found a queue full: a slot freed there wakes them (NOTIFY).';
create index queue_waiters_worker on pgqrs.queue_waiters (worker);

-- One row per permit of a queue's rate limit: when it was last used.
create table pgqrs.queue_permits (
    queue   text not null,
    permit  integer not null,
    used_at timestamptz not null,
    primary key (queue, permit)
);
comment on table pgqrs.queue_permits is
    'The permits of a queue''s rate limit: a first start uses one not used within the period.';
create index queue_permits_oldest on pgqrs.queue_permits (queue, used_at);

-- The workflow names each queue holds, so that a claim looks only where its names are.
create table pgqrs.queue_names (
    name  text not null,
    queue text not null,
    primary key (name, queue)
);
comment on table pgqrs.queue_names is
    'Which queues hold workflows of which names (a claim looks at its names'' queues only).';

-- The concurrency keys with work in a queue, in the order they are served (round-robin).
create table pgqrs.queue_keys (
    queue     text not null,
    key       text not null,
    served_at timestamptz not null,
    primary key (queue, key)
);
comment on table pgqrs.queue_keys is
    'The concurrency keys of a queue with work, served the longest ago first.';
create index queue_keys_turn on pgqrs.queue_keys (queue, served_at, key);

create table pgqrs.schedules (
    name           text primary key,
    workflow       text not null,
    cron           text not null,
    timezone       text not null,
    input          jsonb,
    options        jsonb not null default '{}',
    paused         boolean not null default false,
    missed         text not null default 'skip' check (missed in ('skip', 'catch_up')),
    catch_up_limit integer check (catch_up_limit between 1 and 1000),
    next_run_at    timestamptz,
    last_run_at    timestamptz,
    last_error     text,
    created_at     timestamptz not null,
    updated_at     timestamptz not null,
    check ((missed = 'catch_up') = (catch_up_limit is not null))
);
comment on table pgqrs.schedules is
    'Cron schedules: each tick of one starts its workflow once (set_schedule, docs/schedules.md).';
comment on column pgqrs.schedules.options is
    'The options each tick''s workflow is started with (queue, priority, ...), as submit_workflow.';
comment on column pgqrs.schedules.next_run_at is
    'The next tick to fire; NULL when the expression has no tick left before 9999.';
comment on column pgqrs.schedules.last_run_at is
    'The latest tick fired; its workflow has the key ''schedule:<name>:<tick, UTC ISO 8601>''.';
comment on column pgqrs.schedules.last_error is
    'Why the last firing could not start a tick''s workflow; NULL when it could.';
-- Due schedules, for claim's one-probe check and next_claim_at's earliest tick.
create index schedules_due on pgqrs.schedules (next_run_at) where not paused;

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
    created_at timestamptz not null default pg_catalog.clock_timestamp(),
    shard      integer check (shard between 0 and 4095)
);
comment on table pgqrs.instance is
    'One row: this install''s secret key, which turns notification payloads into opaque tags.';
comment on column pgqrs.instance.shard is
    'This database''s shard number in a pgqrs cluster (pgqrs cluster init), carried in every id '
    'it makes (_uuid_v7); NULL for a single server.';
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
