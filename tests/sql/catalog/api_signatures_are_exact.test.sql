begin;
select plan(1);

-- TEST: the public API's parameter names and types are exactly these (clients call with named
-- arguments, and docs/sql-api.md grants EXECUTE by these signatures)
select results_eq(
    $$select (p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')')::text collate "C"
        from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
       order by p.proname$$,
    $$values
        ('acquire_step(p_workflow_id uuid, p_step_key text, p_token bigint)' collate "C"),
        ('acquire_workflow(p_workflow_id uuid, p_owner text, p_lease_seconds double precision)'),
        ('await_workflow(p_workflow_id uuid, p_step_key text, p_token bigint, p_position integer, p_other_id uuid, p_timeout_seconds double precision, p_inline_seconds double precision)'),
        ('begin_step(p_workflow_id uuid, p_step_key text, p_token bigint, p_position integer, p_max_attempts integer, p_backoff_seconds double precision, p_max_backoff_seconds double precision, p_timeout_seconds double precision)'),
        ('cancel_workflow(p_workflow_id uuid, p_reason text)'),
        ('claim(p_worker text, p_claim_id uuid, p_limit integer, p_lease_seconds double precision)'),
        ('claim_workflows(p_worker text, p_limit integer, p_lease_seconds double precision)'),
        ('complete_step(p_workflow_id uuid, p_step_key text, p_token bigint, p_output jsonb)'),
        ('complete_workflow(p_workflow_id uuid, p_token bigint, p_output jsonb)'),
        ('create_workflow(p_name text, p_input jsonb, p_id uuid, p_idempotency_key text)'),
        ('describe_workflow(p_workflow_id uuid)'),
        ('error_codes()'),
        ('fail_step(p_workflow_id uuid, p_step_key text, p_token bigint, p_error jsonb)'),
        ('fail_step_attempt(p_workflow_id uuid, p_step_key text, p_token bigint, p_error jsonb, p_retryable boolean)'),
        ('fail_workflow(p_workflow_id uuid, p_token bigint, p_error jsonb)'),
        ('fork_workflow(p_workflow_id uuid, p_from_step text, p_id uuid)'),
        ('get_event(p_workflow_id uuid, p_key text)'),
        ('get_workflow(p_workflow_id uuid)'),
        ('heartbeat(p_workflow_id uuid, p_token bigint)'),
        ('list_events(p_workflow_id uuid, p_limit integer)'),
        ('list_messages(p_workflow_id uuid, p_limit integer)'),
        ('list_step_attempts(p_workflow_id uuid)'),
        ('list_steps(p_workflow_id uuid)'),
        ('list_workers(p_stale_seconds double precision)'),
        ('list_workflows(p_status text, p_name text, p_limit integer)'),
        ('list_workflows_page(p_status text, p_name text, p_limit integer, p_before_created_at timestamp with time zone, p_before_id uuid, p_created_after timestamp with time zone, p_idempotency_key text)'),
        ('min_client_version()'),
        ('next_claim_at(p_worker text)'),
        ('notify_key()'),
        ('notify_tag(p_subject text)'),
        ('now()'),
        ('prune(p_older_than interval, p_limit integer, p_include_dead boolean)'),
        ('queue_depth(p_stale_seconds double precision)'),
        ('record_step(p_workflow_id uuid, p_step_key text, p_token bigint, p_position integer, p_output jsonb, p_elapsed_seconds double precision)'),
        ('recv_message(p_workflow_id uuid, p_step_key text, p_token bigint, p_position integer, p_topic text, p_timeout_seconds double precision, p_inline_seconds double precision)'),
        ('register_worker(p_worker text, p_workflows text[], p_concurrency integer, p_hostname text, p_pid integer)'),
        ('release_workflow(p_workflow_id uuid, p_token bigint)'),
        ('resume_workflow(p_workflow_id uuid)'),
        ('revive_workflow(p_workflow_id uuid)'),
        ('send_message(p_workflow_id uuid, p_topic text, p_message jsonb, p_idempotency_key text)'),
        ('set_event(p_workflow_id uuid, p_step_key text, p_token bigint, p_position integer, p_key text, p_value jsonb)'),
        ('sleep_step(p_workflow_id uuid, p_step_key text, p_token bigint, p_position integer, p_seconds double precision, p_until timestamp with time zone, p_inline_seconds double precision)'),
        ('start_workflow(p_name text, p_input jsonb, p_id uuid, p_idempotency_key text, p_run_at timestamp with time zone, p_max_recoveries integer)'),
        ('stop_worker(p_worker text)'),
        ('stuck_workflows(p_limit integer, p_stale_seconds double precision)'),
        ('submit_workflow(p_name text, p_input jsonb, p_options jsonb)'),
        ('suspend_workflow(p_workflow_id uuid, p_token bigint, p_until timestamp with time zone)'),
        ('trace_context(p_workflow_id uuid)'),
        ('version()'),
        ('worker_heartbeat(p_worker text)'),
        ('workflow_counts(p_stale_seconds double precision)'),
        ('workflow_throughput(p_minutes integer)'),
        ('workflow_tree(p_workflow_id uuid, p_limit integer)')$$,
    'the API signatures');

select * from finish();
rollback;
