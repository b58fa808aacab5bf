begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select workflow_id as other_id, token as other_token from pgqrs_test.running_workflow('runner-b') \gset
select status from pgqrs.await_workflow(:'workflow_id', 'child', :token, 1, :'other_id') \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset

-- TEST: fail_workflow of the other (no attempts left) makes the waiter available now
select pgqrs.fail_workflow(:'other_id', :other_token, '{"type": "ValueError", "message": "boom"}') \gset
select is(w.available_at, :'t1'::timestamptz, 'available now') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: the replayed await answers DONE with status FAILED and the error
select token as token2 from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select results_eq(
    format($$select status, outcome from pgqrs.await_workflow(%L, 'child', %s, 1, %L)$$,
           :'workflow_id', :token2, :'other_id'),
    $$values ('DONE'::text, '{"status": "FAILED", "output": null, "error": {"type": "ValueError", "message": "boom"}}'::jsonb)$$,
    'DONE with FAILED and the error');
select is(s.output ->> 'status', 'FAILED', 'recorded') from pgqrs_test.step(:'workflow_id', 'child') s;

select * from finish();
rollback;
