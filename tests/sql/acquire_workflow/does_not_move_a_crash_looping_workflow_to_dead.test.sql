begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_max_recoveries => 0) \gset
select pgqrs_test.expire_lease(:'workflow_id') \gset
create temp table acquired as select * from pgqrs.acquire_workflow(:'workflow_id', 'runner-b');

-- TEST: acquire_workflow counts the recovery but leaves dead-lettering to claim_workflows:
-- an explicit acquire always runs the workflow
select is(a.status, 'RUNNING', 'RUNNING') from acquired a;
select is(w.recoveries, 1, 'recoveries 1, over max_recoveries 0') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, 'runner-b', 'runner-b holds the lease') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
