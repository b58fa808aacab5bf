begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs_test.new_workflow() as other_id \gset
select status from pgqrs.await_workflow(:'workflow_id', 'child', :token, 1, :'other_id') \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset

-- TEST: cancel_workflow of the other (here still PENDING) makes the waiter available now
select pgqrs.cancel_workflow(:'other_id', 'no longer needed') \gset
select is(w.available_at, :'t1'::timestamptz, 'available now') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: the replayed await answers DONE with status CANCELLED and the cancel error
select token as token2 from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select results_eq(
    format($$select status, outcome ->> 'status', outcome -> 'error' ->> 'message' from pgqrs.await_workflow(%L, 'child', %s, 1, %L)$$,
           :'workflow_id', :token2, :'other_id'),
    $$values ('DONE'::text, 'CANCELLED'::text, 'no longer needed'::text)$$,
    'DONE with CANCELLED and the reason');
select is(s.status, 'SUCCESS', 'recorded') from pgqrs_test.step(:'workflow_id', 'child') s;

select * from finish();
rollback;
