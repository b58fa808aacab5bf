begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30) \gset
select pgqrs_test.worker('worker-b', array['wf']) \gset
select pgqrs_test.queued_workflow() as acquired \gset
select token as acquired_token from pgqrs.acquire_workflow(:'acquired', 'runner-a', 30) \gset

-- TEST: a workflow leased by another worker, or acquired by a runner, is not claimed while the lease is live
select pgqrs_test.advance_clock('29 seconds') \gset
select is_empty($$select * from pgqrs.claim_workflows('worker-b', 10)$$, 'nothing to claim');
select is(w.lease_owner, 'worker-a', 'worker-a keeps its lease') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, 'runner-a', 'runner-a keeps its lease') from pgqrs_test.workflow(:'acquired') w;

select * from finish();
rollback;
