begin;
select plan(4);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 3600) \gset
-- The other: claimed by worker-dead with max_recoveries 0, so its next takeover makes it DEAD.
select workflow_id as other_id from pgqrs_test.claimed_workflow('worker-dead', 30, 0, '{}', 'wf-dead') \gset
select status from pgqrs.await_workflow(:'workflow_id', 'child', :token, 1, :'other_id') \gset
select pgqrs_test.expire_lease(:'other_id') as t1 \gset

-- TEST: claim_workflows moving the other to DEAD makes the waiter available now
select is_empty($$select * from pgqrs.claim_workflows('worker-dead')$$, 'the other is not handed out');
select is(w.status, 'DEAD', 'the other is DEAD') from pgqrs_test.workflow(:'other_id') w;
select is(w.available_at, :'t1'::timestamptz, 'the waiter is available now') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: the replayed await answers DONE with status DEAD and the crash-loop error
select token as token2 from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select results_eq(
    format($$select status, outcome ->> 'status', outcome -> 'error' ->> 'type' from pgqrs.await_workflow(%L, 'child', %s, 1, %L)$$,
           :'workflow_id', :token2, :'other_id'),
    $$values ('DONE'::text, 'DEAD'::text, 'pgqrs.CrashLoop'::text)$$, 'DONE with DEAD');

select * from finish();
rollback;
