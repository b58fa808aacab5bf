begin;
select plan(9);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_name => 'wf-await-complete') \gset
select workflow_id as other_id, token as other_token from pgqrs_test.running_workflow('runner-b') \gset
select status from pgqrs.await_workflow(:'workflow_id', 'child', :token, 1, :'other_id') \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset

-- TEST: while the other runs, the waiter is not claimed
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'not claimed');
-- TEST: complete_workflow of the other makes the waiter available now
select pgqrs.complete_workflow(:'other_id', :other_token, '{"total": 3}') \gset
select is(w.available_at, :'t1'::timestamptz, 'available now') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: a worker claims it; the replayed await answers DONE with the other's outcome
select token as token2 from pgqrs.claim_workflows('worker-a') \gset
select results_eq(
    format($$select status, outcome, remaining from pgqrs.await_workflow(%L, 'child', %s, 1, %L)$$,
           :'workflow_id', :token2, :'other_id'),
    $$values ('DONE'::text, '{"status": "SUCCESS", "output": {"total": 3}, "error": null}'::jsonb, 0::float8)$$,
    'DONE with status, output and error');
-- TEST: the outcome is recorded on the step (SUCCESS), and the workflow waits no more
select is(s.status, 'SUCCESS', 'SUCCESS') from pgqrs_test.step(:'workflow_id', 'child') s;
select is(s.output, '{"status": "SUCCESS", "output": {"total": 3}, "error": null}'::jsonb, 'recorded')
  from pgqrs_test.step(:'workflow_id', 'child') s;
select is(s.finished_at, :'t1'::timestamptz, 'finished now') from pgqrs_test.step(:'workflow_id', 'child') s;
select is(w.waiting_for, null, 'waiting_for cleared') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, 'worker-a', 'the lease is kept') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: a replay returns the recorded outcome
select results_eq(
    format($$select status, outcome from pgqrs.await_workflow(%L, 'child', %s, 1, %L)$$,
           :'workflow_id', :token2, :'other_id'),
    $$values ('DONE'::text, '{"status": "SUCCESS", "output": {"total": 3}, "error": null}'::jsonb)$$,
    'replay: the same outcome');

select * from finish();
rollback;
