begin;
select plan(5);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select workflow_id as other_id, token as other_token from pgqrs_test.running_workflow('runner-b') \gset
select pgqrs.complete_workflow(:'other_id', :other_token, '"result"') \gset

-- TEST: awaiting a workflow that has already finished answers DONE at once with its outcome
select results_eq(
    format($$select status, outcome, remaining from pgqrs.await_workflow(%L, 'child', %s, 1, %L, 0)$$,
           :'workflow_id', :token, :'other_id'),
    $$values ('DONE'::text, '{"status": "SUCCESS", "output": "result", "error": null}'::jsonb, 0::float8)$$,
    'DONE (even with a 0-second timeout)');
-- TEST: recorded on the step, and the runner keeps its lease and waits for nothing
select is(s.status, 'SUCCESS', 'SUCCESS') from pgqrs_test.step(:'workflow_id', 'child') s;
select is(w.lease_owner, 'runner-a', 'lease kept') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint, 'same token') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.waiting_for, null, 'waits for nothing') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
