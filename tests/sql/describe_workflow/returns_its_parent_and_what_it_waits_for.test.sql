begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select workflow_id as child from pgqrs.submit_workflow('wf', '{}', jsonb_build_object('parent_id', :'workflow_id')) \gset

-- TEST: describe_workflow returns the parent of a child, NULL for a workflow started by no one
select is(d.parent_id, :'workflow_id'::uuid, 'the child''s parent_id') from pgqrs.describe_workflow(:'child') d;
select is(d.parent_id, null, 'the parent has none') from pgqrs.describe_workflow(:'workflow_id') d;
-- TEST: waiting_for is NULL for a workflow that is not suspended, and says what a suspended one
-- waits for
select is(d.waiting_for, null, 'not waiting') from pgqrs.describe_workflow(:'workflow_id') d;
select status from pgqrs.await_workflow(:'workflow_id', 'child', :token, 1, :'child') \gset
select is(d.waiting_for, 'workflow:' || :'child', 'waiting for the child') from pgqrs.describe_workflow(:'workflow_id') d;

select * from finish();
rollback;
