begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_max_recoveries => 0) \gset
-- worker-a restarts holding the lease: register_worker releases it and counts the recovery.
select pgqrs.register_worker('worker-a', array['wf']) \gset

-- TEST: a workflow released by a restart over its budget is moved to DEAD by the next claim
select is(w.recoveries, 1, 'the restart counted a recovery') from pgqrs_test.workflow(:'workflow_id') w;
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'not returned');
select is(w.status, 'DEAD', 'DEAD') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
