begin;
select plan(3);

-- TEST: the workers table and the queue columns of workflows explain themselves
select ok(obj_description('pgqrs.workers'::regclass, 'pg_class') is not null, 'pgqrs.workers');
select is_empty(
    $$select a.attname from pg_attribute a
       where a.attrelid = 'pgqrs.workflows'::regclass
         and a.attname in ('queued', 'available_at', 'recoveries', 'lease_token')
         and col_description(a.attrelid, a.attnum) is null$$,
    'workflows.queued, available_at, recoveries and lease_token');
-- TEST: the new functions, private ones included
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace
         and p.proname in ('start_workflow', 'register_worker', 'worker_heartbeat', 'claim_workflows',
                           'next_claim_at', 'stop_worker', 'revive_workflow', 'list_workers',
                           'workflow_counts', 'list_workflows', '_check_lease_seconds',
                           '_finished_steps', '_grant_lease', '_worker_names', '_create_workflow')
         and coalesce(obj_description(p.oid, 'pg_proc'), '') = ''$$,
    'every new function');

select * from finish();
rollback;
