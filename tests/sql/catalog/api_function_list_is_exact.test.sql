begin;
select plan(2);

-- TEST: the public API (functions without a leading underscore) is exactly this list
select is(
    array(select distinct p.proname::text from pg_proc p
           where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
           order by 1),
    array['acquire_step', 'acquire_workflow', 'await_workflow', 'begin_step', 'cancel_workflow',
          'claim', 'claim_workflows', 'complete_step', 'complete_workflow', 'create_workflow',
          'delete_queue', 'delete_schedule', 'describe_workflow', 'error_codes', 'fail_step',
          'fail_step_attempt', 'fail_workflow', 'fork_workflow', 'get_event', 'get_workflow',
          'heartbeat', 'list_events', 'list_messages', 'list_queues', 'list_schedules',
          'list_step_attempts', 'list_steps', 'list_workers', 'list_workflows',
          'list_workflows_page', 'min_client_version', 'next_claim_at', 'notify_key',
          'notify_tag', 'now', 'pause_schedule', 'prune', 'queue_depth', 'record_step',
          'recv_message', 'register_worker', 'release_workflow', 'resume_schedule',
          'resume_workflow', 'revive_workflow', 'send_message', 'set_event', 'set_queue',
          'set_schedule', 'sleep_step', 'start_workflow', 'start_workflows', 'stop_worker',
          'stuck_workflows', 'submit_workflow', 'suspend_workflow', 'trace_context', 'version',
          'worker_heartbeat', 'workflow_counts', 'workflow_throughput', 'workflow_tree'],
    'the API functions');
-- TEST: no function is overloaded, so a call by name and named arguments has one target
select is_empty(
    $$select p.proname from pg_proc p where p.pronamespace = 'pgqrs'::regnamespace
       group by p.proname having count(*) > 1$$,
    'no overloads');

select * from finish();
rollback;
