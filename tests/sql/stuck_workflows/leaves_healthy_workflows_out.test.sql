begin;
select plan(2);

select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
-- A live lease, queued work a live worker serves, work scheduled for later, a wait with a
-- timeout, and a finished workflow.
select workflow_id as live from pgqrs_test.claimed_workflow('worker-a', 30) \gset
select pgqrs_test.queued_workflow('wf') as served \gset
select pgqrs_test.queued_workflow('wf-nobody', '{}', '2030-01-02 00:00:00+00') as later \gset
select * from pgqrs_test.running_workflow('runner-a') as r(waiter, token) \gset
select pgqrs_test.new_workflow('wf-other') as other \gset
select status from pgqrs.await_workflow(:'waiter', 'pgqrs.await', :token, 1, :'other', 3600) \gset
select pgqrs_test.finished_workflow('FAILED') as failed \gset

-- TEST: nothing is stuck
select is_empty($$select * from pgqrs.stuck_workflows()$$, 'nothing listed');
-- TEST: bad arguments raise PQ008
select throws_ok($$select * from pgqrs.stuck_workflows(0)$$, 'PQ008', null, 'limit 0');

select * from finish();
rollback;
