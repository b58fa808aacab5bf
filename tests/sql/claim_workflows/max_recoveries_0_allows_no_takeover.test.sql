begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_max_recoveries => 0) \gset
select pgqrs_test.expire_lease(:'workflow_id') \gset

-- TEST: with max_recoveries 0 the first crash makes the workflow DEAD
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'not returned');
select is(w.status, 'DEAD', 'DEAD') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
