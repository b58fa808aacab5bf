begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30) \gset
select pgqrs_test.expire_lease(:'workflow_id') \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-a');

-- TEST: the worker that held an expired lease can claim the workflow again: still a recovery
select is(c.workflow_id, :'workflow_id'::uuid, 'claimed again') from claimed c;
select is(c.recovered, true, 'recovered is true') from claimed c;
select is(w.recoveries, 1, 'recoveries 1') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
