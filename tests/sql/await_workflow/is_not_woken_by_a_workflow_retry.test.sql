begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select workflow_id as other_id from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "max_attempts": 2}') \gset
select token as other_token from pgqrs.acquire_workflow(:'other_id', 'runner-b') \gset
select status from pgqrs.await_workflow(:'workflow_id', 'child', :token, 1, :'other_id') \gset

-- TEST: a fail_workflow that becomes a workflow retry (attempts left) does not finish the other,
-- so the waiter is not woken
select pgqrs.fail_workflow(:'other_id', :other_token, '"boom"') \gset
select is(w.status, 'RUNNING', 'the other is retried') from pgqrs_test.workflow(:'other_id') w;
select is(w.available_at, null, 'the waiter is not woken') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.waiting_for, 'workflow:' || :'other_id', 'it still waits') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
