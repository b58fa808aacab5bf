begin;
select plan(7);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
create temp table first as
    select * from pgqrs.submit_workflow('wf-child', '{"n": 1}',
        jsonb_build_object('idempotency_key', :'workflow_id' || ':child-1', 'parent_id', :'workflow_id'));
-- The parent's code runs again (a replay after a crash) and starts the same child.
create temp table second as
    select * from pgqrs.submit_workflow('wf-child', '{"n": 1}',
        jsonb_build_object('idempotency_key', :'workflow_id' || ':child-1', 'parent_id', :'workflow_id'));

-- TEST: the first call creates the child with parent_id set
select is(f.created, true, 'created') from first f;
select is(w.parent_id, :'workflow_id'::uuid, 'parent_id is the parent')
  from first f, pgqrs_test.workflow(f.workflow_id) w;
-- TEST: the second call with the same idempotency key returns the same child, created false
select results_eq('select workflow_id, created, status from second',
    $$select workflow_id, false, 'PENDING'::text from first$$, 'the same child, created false');
select is((select count(*) from pgqrs.workflows where parent_id = :'workflow_id'), 1::bigint,
    'the parent has one child');
select is((select count(*) from pgqrs.workflows where name = 'wf-child'), 1::bigint, 'one child row');
-- TEST: describe_workflow shows the parent, and no parent for the parent itself
select is(d.parent_id, :'workflow_id'::uuid, 'describe_workflow.parent_id')
  from first f, pgqrs.describe_workflow(f.workflow_id) d;
select is(d.parent_id, null, 'no parent') from pgqrs.describe_workflow(:'workflow_id') d;

select * from finish();
rollback;
