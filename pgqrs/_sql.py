"""Every SQL statement the pgqrs client sends, in one place.

Business code never builds SQL. Each statement calls one pgqrs function with named arguments and
explicit casts, so that an overload added by someone else can never capture the call. The install
scripts themselves are the files in ``sql/`` (shipped in the wheel as ``pgqrs/sql``).
"""

from __future__ import annotations

from typing import LiteralString

# create_workflow and start_workflow with every option (id, key, queue, schedule, deadline,
# workflow retries) as one JSON object.
SUBMIT_WORKFLOW: LiteralString = (
    "SELECT workflow_id, created, status FROM pgqrs.submit_workflow("
    "p_name => %s::text, p_input => %s::jsonb, p_options => %s::jsonb)"
)

ACQUIRE_WORKFLOW: LiteralString = (
    "SELECT status, token, lease_expires_at, name, input, output, error, steps"
    " FROM pgqrs.acquire_workflow("
    "p_workflow_id => %s::uuid, p_owner => %s::text, p_lease_seconds => %s::float8)"
)

HEARTBEAT: LiteralString = "SELECT pgqrs.heartbeat(p_workflow_id => %s::uuid, p_token => %s::int8)"

RELEASE_WORKFLOW: LiteralString = (
    "SELECT pgqrs.release_workflow(p_workflow_id => %s::uuid, p_token => %s::int8)"
)

BEGIN_STEP: LiteralString = (
    "SELECT status, value, attempt, retry_in FROM pgqrs.begin_step("
    "p_workflow_id => %s::uuid, p_step_key => %s::text, p_token => %s::int8,"
    " p_position => %s::int4, p_max_attempts => %s::int4, p_backoff_seconds => %s::float8,"
    " p_max_backoff_seconds => %s::float8, p_timeout_seconds => %s::float8)"
)

COMPLETE_STEP: LiteralString = (
    "SELECT pgqrs.complete_step("
    "p_workflow_id => %s::uuid, p_step_key => %s::text, p_token => %s::int8, p_output => %s::jsonb)"
)

# A step that ran without begin_step (or was begun by it), recorded SUCCESS in one call.
RECORD_STEP: LiteralString = (
    "SELECT pgqrs.record_step("
    "p_workflow_id => %s::uuid, p_step_key => %s::text, p_token => %s::int8,"
    " p_position => %s::int4, p_output => %s::jsonb, p_elapsed_seconds => %s::float8)"
)

FAIL_STEP_ATTEMPT: LiteralString = (
    "SELECT status, attempt, retry_in FROM pgqrs.fail_step_attempt("
    "p_workflow_id => %s::uuid, p_step_key => %s::text, p_token => %s::int8,"
    " p_error => %s::jsonb, p_retryable => %s::bool)"
)

SUSPEND_WORKFLOW: LiteralString = (
    "SELECT pgqrs.suspend_workflow(p_workflow_id => %s::uuid, p_token => %s::int8,"
    " p_until => pgqrs.now() + %s::float8 * interval '1 second')"
)

COMPLETE_WORKFLOW: LiteralString = (
    "SELECT pgqrs.complete_workflow("
    "p_workflow_id => %s::uuid, p_token => %s::int8, p_output => %s::jsonb)"
)

FAIL_WORKFLOW: LiteralString = (
    "SELECT pgqrs.fail_workflow("
    "p_workflow_id => %s::uuid, p_token => %s::int8, p_error => %s::jsonb)"
)

DESCRIBE_WORKFLOW: LiteralString = (
    "SELECT id, name, status, idempotency_key, input, output, error, lease_owner, lease_token,"
    " lease_expires_at, created_at, updated_at, started_at, finished_at, queued, available_at,"
    " recoveries, max_recoveries, deadline_at, attempt, max_attempts, retry_backoff,"
    " retry_max_backoff, forked_from, parent_id, waiting_for"
    " FROM pgqrs.describe_workflow(p_workflow_id => %s::uuid)"
)

# What waiting for a workflow's result reads: its status and outcome, not its input (which may be
# a value the client cannot decode, and is not needed to report the outcome).
WORKFLOW_OUTCOME: LiteralString = (
    "SELECT status, output, error FROM pgqrs.describe_workflow(p_workflow_id => %s::uuid)"
)

LIST_STEP_ATTEMPTS: LiteralString = (
    "SELECT step_key, step_position, attempt, status, error, owner, started_at, finished_at"
    " FROM pgqrs.list_step_attempts(p_workflow_id => %s::uuid)"
)

# Failure control.
CANCEL_WORKFLOW: LiteralString = (
    "SELECT pgqrs.cancel_workflow(p_workflow_id => %s::uuid, p_reason => %s::text)"
)

RESUME_WORKFLOW: LiteralString = "SELECT pgqrs.resume_workflow(p_workflow_id => %s::uuid)"

FORK_WORKFLOW: LiteralString = (
    "SELECT pgqrs.fork_workflow(p_workflow_id => %s::uuid, p_from_step => %s::text,"
    " p_id => %s::uuid)"
)

LIST_STEPS: LiteralString = (
    "SELECT step_key, status, output, error, attempt, lease_token, started_at, finished_at"
    " FROM pgqrs.list_steps(p_workflow_id => %s::uuid)"
)

VERSION: LiteralString = "SELECT pgqrs.version()"
# Since 0.2.0: the oldest client release the installed schema still serves.
MIN_CLIENT_VERSION: LiteralString = "SELECT pgqrs.min_client_version()"
# The client's first look at a database: the schema version, whether pgqrs was installed as an
# extension (CREATE EXTENSION; NULL otherwise), and whether it is the proxy of a cluster of
# shards (docs/scale-out.md). One statement per store.
SCHEMA_STATE: LiteralString = (
    "SELECT pgqrs.version(),"
    " (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'pgqrs'),"
    " pg_catalog.to_regprocedure('pgqrs_proxy.shards()') IS NOT NULL"
)

# The server's clock, for the ages the CLI prints. clock_timestamp() needs no privilege
# (pgqrs.now() may not be granted to a monitoring role); it ignores pgqrs.fake_now.
SERVER_NOW: LiteralString = "SELECT pg_catalog.clock_timestamp()"

ERROR_CODES: LiteralString = "SELECT sqlstate, name, description FROM pgqrs.error_codes()"

# Install. The lock key is the first 8 bytes of sha1(b"pgqrs install"), a positive bigint; every
# installer takes it inside its transaction, so concurrent installers run one after the other.
INSTALL_LOCK_KEY = 0x3B63_ACF4_6733_087C
INSTALL_LOCK: LiteralString = "SELECT pg_catalog.pg_advisory_xact_lock(%s::int8)"

INSTALL_STATE: LiteralString = (
    "SELECT pg_catalog.to_regnamespace('pgqrs') IS NOT NULL,"
    " pg_catalog.to_regclass('pgqrs.ledger') IS NOT NULL,"
    " (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'pgqrs')"
)

LEDGER_VERSIONS: LiteralString = "SELECT version FROM pgqrs.ledger"

# Workers.
REGISTER_WORKER: LiteralString = (
    "SELECT pgqrs.register_worker(p_worker => %s::text, p_workflows => %s::text[],"
    " p_concurrency => %s::int4, p_hostname => %s::text, p_pid => %s::int4)"
)

WORKER_HEARTBEAT: LiteralString = "SELECT pgqrs.worker_heartbeat(p_worker => %s::text)"

# A claim, idempotent per claim id (a retry after a lost answer returns the same workflows).
# input and steps come as text: the worker decodes each row on its own, so one value it cannot
# decode costs that workflow only, never the claim.
CLAIM: LiteralString = (
    "SELECT workflow_id, name, token, input::text, steps::text, recovered FROM pgqrs.claim("
    "p_worker => %s::text, p_claim_id => %s::uuid, p_limit => %s::int4,"
    " p_lease_seconds => %s::float8)"
)

NEXT_CLAIM_AT: LiteralString = (
    "SELECT pgqrs.next_claim_at(p_worker => %s::text), pg_catalog.clock_timestamp()"
)

STOP_WORKER: LiteralString = "SELECT pgqrs.stop_worker(p_worker => %s::text)"

REVIVE_WORKFLOW: LiteralString = "SELECT pgqrs.revive_workflow(p_workflow_id => %s::uuid)"

LIST_WORKERS: LiteralString = (
    "SELECT name, hostname, pid, workflows, concurrency, started_at, heartbeat_at, stopped_at,"
    " alive, running FROM pgqrs.list_workers()"
)

WORKFLOW_COUNTS: LiteralString = (
    "SELECT name, status, count, oldest, served FROM pgqrs.workflow_counts()"
)

# Keyset pages of workflows, newest first, with where each waits and what holds it back.
LIST_WORKFLOWS_PAGE: LiteralString = (
    "SELECT id, name, status, lease_owner, recoveries, created_at, updated_at, finished_at,"
    " idempotency_key, queued, available_at, lease_expires_at, waiting_for, deadline_at,"
    " parent_id, attempt, queue, priority, concurrency_key, held_by"
    " FROM pgqrs.list_workflows_page(p_status => %s::text, p_name => %s::text,"
    " p_limit => %s::int4, p_before_created_at => %s::timestamptz, p_before_id => %s::uuid,"
    " p_created_after => %s::timestamptz, p_idempotency_key => %s::text)"
)

# What a wait for a result that timed out reports: where the workflow stands, and whether a live
# worker serves its name (list_workers is readable by a monitoring role too).
WORKFLOW_STATE: LiteralString = (
    "SELECT d.name, d.status, d.queued, d.available_at, d.waiting_for, d.lease_owner,"
    " EXISTS (SELECT FROM pgqrs.list_workers() k WHERE k.alive AND d.name = ANY (k.workflows)),"
    " pg_catalog.clock_timestamp()"
    " FROM pgqrs.describe_workflow(p_workflow_id => %s::uuid) d"
)

# Queues.
SET_QUEUE: LiteralString = (
    "SELECT name, concurrency, worker_concurrency, rate_limit, rate_period_seconds,"
    " key_concurrency, paused, updated_at"
    " FROM pgqrs.set_queue(p_queue => %s::text, p_settings => %s::jsonb)"
)

DELETE_QUEUE: LiteralString = "SELECT pgqrs.delete_queue(p_queue => %s::text)"

LIST_QUEUES: LiteralString = (
    "SELECT name, concurrency, worker_concurrency, rate_limit, rate_period_seconds,"
    " key_concurrency, paused, queued, running, permits_free, keys FROM pgqrs.list_queues()"
)

# Many workflows of one name in one statement, idempotent per item with a key.
START_WORKFLOWS: LiteralString = (
    "SELECT item, workflow_id, created, status FROM pgqrs.start_workflows("
    "p_name => %s::text, p_inputs => %s::jsonb, p_idempotency_keys => %s::text[],"
    " p_options => %s::jsonb)"
)

# Notifications. Channel names are fixed identifiers, not parameters; payloads are tags
# (pgqrs.notify_tag), computed by the client from the install's key.
LISTEN_WORK: LiteralString = "LISTEN pgqrs_work"
LISTEN_ALL: tuple[LiteralString, ...] = (
    "LISTEN pgqrs_work",
    "LISTEN pgqrs_done",
    "LISTEN pgqrs_event",
    "LISTEN pgqrs_message",
)
NOTIFY_KEY: LiteralString = "SELECT pgqrs.notify_key()"

# Coordination: durable sleep, messages, events, child workflows (all wait steps).
SLEEP_STEP: LiteralString = (
    "SELECT status, wake_at, remaining FROM pgqrs.sleep_step("
    "p_workflow_id => %s::uuid, p_step_key => %s::text, p_token => %s::int8,"
    " p_position => %s::int4, p_seconds => %s::float8, p_until => %s::timestamptz,"
    " p_inline_seconds => %s::float8)"
)

SEND_MESSAGE: LiteralString = (
    "SELECT message_id, created FROM pgqrs.send_message("
    "p_workflow_id => %s::uuid, p_topic => %s::text, p_message => %s::jsonb,"
    " p_idempotency_key => %s::text)"
)

RECV_MESSAGE: LiteralString = (
    "SELECT status, message, remaining FROM pgqrs.recv_message("
    "p_workflow_id => %s::uuid, p_step_key => %s::text, p_token => %s::int8,"
    " p_position => %s::int4, p_topic => %s::text, p_timeout_seconds => %s::float8,"
    " p_inline_seconds => %s::float8)"
)

AWAIT_WORKFLOW: LiteralString = (
    "SELECT status, outcome, remaining FROM pgqrs.await_workflow("
    "p_workflow_id => %s::uuid, p_step_key => %s::text, p_token => %s::int8,"
    " p_position => %s::int4, p_other_id => %s::uuid, p_timeout_seconds => %s::float8,"
    " p_inline_seconds => %s::float8)"
)

SET_EVENT: LiteralString = (
    "SELECT pgqrs.set_event(p_workflow_id => %s::uuid, p_step_key => %s::text,"
    " p_token => %s::int8, p_position => %s::int4, p_key => %s::text, p_value => %s::jsonb)"
)

GET_EVENT: LiteralString = (
    "SELECT found, value FROM pgqrs.get_event(p_workflow_id => %s::uuid, p_key => %s::text)"
)

# Retention: one bounded batch of deletions (docs/retention.md); busy when another transaction
# is pruning this database.
PRUNE: LiteralString = (
    "SELECT workflows, steps, step_attempts, messages, events, more, busy FROM pgqrs.prune("
    "p_older_than => %s::interval, p_limit => %s::int4, p_include_dead => %s::bool)"
)

# Schedules (docs/schedules.md): every tick is fired by the claims of workers, in SQL.
_SCHEDULE_COLUMNS: LiteralString = (
    "name, workflow, cron, timezone, input, options, paused, missed, catch_up_limit,"
    " next_run_at, last_run_at, last_workflow_id, last_status, last_error, created_at, updated_at"
)

SET_SCHEDULE: LiteralString = (
    "SELECT " + _SCHEDULE_COLUMNS + " FROM pgqrs.set_schedule("
    "p_name => %s::text, p_workflow => %s::text, p_cron => %s::text, p_timezone => %s::text,"
    " p_input => %s::jsonb, p_options => %s::jsonb)"
)

PAUSE_SCHEDULE: LiteralString = "SELECT pgqrs.pause_schedule(p_name => %s::text)"

RESUME_SCHEDULE: LiteralString = "SELECT pgqrs.resume_schedule(p_name => %s::text)"

DELETE_SCHEDULE: LiteralString = "SELECT pgqrs.delete_schedule(p_name => %s::text)"

LIST_SCHEDULES: LiteralString = "SELECT " + _SCHEDULE_COLUMNS + " FROM pgqrs.list_schedules()"
# Scale-out (docs/scale-out.md): a proxy's shards, where a client LISTENs; and what pgqrs cluster
# init and status run on the proxy and on each shard.
PROXY_SHARDS: LiteralString = "SELECT shard, dsn, accepting FROM pgqrs_proxy.shards()"
PROXY_STATE: LiteralString = (
    "SELECT pg_catalog.to_regnamespace('pgqrs_proxy') IS NOT NULL,"
    " pg_catalog.to_regprocedure('pgqrs.version()') IS NOT NULL"
    " AND pg_catalog.to_regclass('pgqrs.workflows') IS NULL"
)
PROXY_VERSION: LiteralString = "SELECT pgqrs.version()"
PROXY_CLUSTER: LiteralString = (
    "SELECT shard_count, hash_shards, notify_key FROM pgqrs_proxy.cluster"
)
PROXY_ADD_SHARD: LiteralString = "SELECT pgqrs_proxy.add_shard(p_dsn => %s::text)"
PROXY_SET_HASH_SHARDS: LiteralString = "SELECT pgqrs_proxy.set_hash_shards(p_count => %s::int4)"
PROXY_SET_KEY: LiteralString = "UPDATE pgqrs_proxy.cluster SET notify_key = %s::bytea"
PROXY_HAS_MAPPING: LiteralString = (
    "SELECT EXISTS (SELECT FROM pg_catalog.pg_user_mappings m"
    " WHERE m.srvname = 'pgqrs_cluster' AND m.usename = 'public')"
)
PROXY_SHARD_INFO: LiteralString = (
    "SELECT shard, version FROM pgqrs_proxy.shard_info(p_shard => %s::int4)"
)
PROXY_SHARD_COUNTS: LiteralString = (
    "SELECT status, count FROM pgqrs_proxy.on_workflow_counts(%s::int4, 30::float8)"
)
PROXY_SHARD_WORKERS: LiteralString = (
    "SELECT count(*) FILTER (WHERE alive) FROM pgqrs_proxy.on_list_workers(%s::int4, 30::float8)"
)
SHARD_STATE: LiteralString = (
    "SELECT i.shard, i.notify_key, EXISTS (SELECT FROM pgqrs.workflows) FROM pgqrs.instance i"
)
SHARD_STAMP: LiteralString = "UPDATE pgqrs.instance SET shard = %s::int4, notify_key = %s::bytea"
# The proxy's login on the shards: a user mapping of PL/Proxy's server (values as literals).
PROXY_DROP_MAPPING: LiteralString = "DROP USER MAPPING IF EXISTS FOR PUBLIC SERVER pgqrs_cluster"
PROXY_CREATE_MAPPING: LiteralString = (
    "CREATE USER MAPPING FOR PUBLIC SERVER pgqrs_cluster OPTIONS (user {}{})"
)
PROXY_MAPPING_PASSWORD: LiteralString = ", password {}"
# Observability (sql/src/15_observability.sql): the trace context a worker continues, and the
# reads of pgqrs dashboard (pgqrs/dashboard), which also reads with the statements above.
TRACE_CONTEXT: LiteralString = "SELECT pgqrs.trace_context(p_workflow_id => %s::uuid)"

# pgqrs dashboard: every read is a pgqrs function (the monitoring role's grants suffice).
# Rows are read as dicts, so the columns are named; SELECT * where the page shows whatever the
# function returns (list_workflows_page, list_queues and list_schedules may gain columns in
# later releases).
DASHBOARD_TIMEOUT: LiteralString = "SELECT pg_catalog.set_config('statement_timeout', %s, false)"
DASHBOARD_NOW: LiteralString = "SELECT pg_catalog.clock_timestamp() AS now"
DASHBOARD_COUNTS: LiteralString = (
    "SELECT name, status, count, oldest, served"
    " FROM pgqrs.workflow_counts(p_stale_seconds => %s::float8)"
)
DASHBOARD_WORKERS: LiteralString = (
    "SELECT name, hostname, pid, workflows, concurrency, started_at, heartbeat_at, stopped_at,"
    " alive, running FROM pgqrs.list_workers(p_stale_seconds => %s::float8)"
)
DASHBOARD_PAGE: LiteralString = (
    "SELECT * FROM pgqrs.list_workflows_page(p_status => %s::text, p_name => %s::text,"
    " p_limit => %s::int4, p_before_created_at => %s::timestamptz, p_before_id => %s::uuid,"
    " p_created_after => %s::timestamptz, p_idempotency_key => %s::text)"
)
DASHBOARD_TREE: LiteralString = (
    "SELECT id, parent_id, depth, name, status, created_at, finished_at"
    " FROM pgqrs.workflow_tree(p_workflow_id => %s::uuid, p_limit => %s::int4)"
)
DASHBOARD_MESSAGES: LiteralString = (
    "SELECT message_id, topic, message, idempotency_key, sent_at, consumed_by, consumed_at"
    " FROM pgqrs.list_messages(p_workflow_id => %s::uuid, p_limit => %s::int4)"
)
DASHBOARD_EVENTS: LiteralString = (
    "SELECT key, value, set_at FROM pgqrs.list_events(p_workflow_id => %s::uuid,"
    " p_limit => %s::int4)"
)
DASHBOARD_THROUGHPUT: LiteralString = (
    "SELECT minute, created, succeeded, failed, cancelled"
    " FROM pgqrs.workflow_throughput(p_minutes => %s::int4)"
)
DASHBOARD_STUCK: LiteralString = (
    "SELECT id, name, status, reason, since FROM pgqrs.stuck_workflows("
    "p_limit => %s::int4, p_stale_seconds => %s::float8)"
)
DASHBOARD_QUEUE_DEPTH: LiteralString = (
    "SELECT name, ready, scheduled, waiting, running, oldest_ready, served"
    " FROM pgqrs.queue_depth(p_stale_seconds => %s::float8)"
)
DASHBOARD_QUEUES: LiteralString = "SELECT * FROM pgqrs.list_queues()"
DASHBOARD_SCHEDULES: LiteralString = "SELECT * FROM pgqrs.list_schedules()"
DASHBOARD_NOTIFY_KEY: LiteralString = "SELECT pgqrs.notify_key() AS key"
