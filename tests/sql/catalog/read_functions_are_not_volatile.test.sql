begin;
select plan(2);

-- TEST: the functions that only read are STABLE (or IMMUTABLE): they write nothing
-- (next_claim_at writes nothing either, but it is VOLATILE: it takes an advisory lock and then
-- needs a snapshot taken after it; see next_claim_at/wakes_a_waiter_for_a_slot_freed_unseen)
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace
         and p.proname in ('get_workflow', 'list_steps', 'list_workers',
                           'workflow_counts', 'list_workflows', 'describe_workflow',
                           'list_step_attempts', 'get_event', 'list_workflows_page',
                           'notify_tag', 'notify_key', 'list_schedules', 'workflow_tree',
                           'list_messages', 'list_events', 'workflow_throughput',
                           'stuck_workflows', 'queue_depth', 'trace_context')
         and p.provolatile <> 's'$$,
    'the read functions are STABLE');
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace
         and p.proname in ('error_codes', 'version') and p.provolatile <> 'i'$$,
    'error_codes() and version() are IMMUTABLE');

select * from finish();
rollback;
