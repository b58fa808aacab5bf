begin;
select plan(4);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select workflow_id as child from pgqrs.submit_workflow('wf', '{}', jsonb_build_object('parent_id', :'workflow_id')) \gset
select status from pgqrs.await_workflow(:'workflow_id', 'child', :token, 1, :'child') \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset

-- TEST: cancelling a child makes its suspended parent available now (to see the outcome) ...
select is(pgqrs.cancel_workflow(:'child', 'stop it'), true, 'the child is cancelled');
select is(w.available_at, :'t1'::timestamptz, 'the parent is available now') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... and does not cancel the parent
select is(w.status, 'RUNNING', 'the parent is still RUNNING') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: a cancelled workflow no longer waits for anything
select pgqrs.cancel_workflow(:'workflow_id') \gset
select is(w.waiting_for, null, 'waiting_for cleared by the cancel') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
