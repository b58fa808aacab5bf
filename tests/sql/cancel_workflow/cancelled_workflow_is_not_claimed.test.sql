begin;
select plan(1);

select pgqrs_test.worker('worker-a', array['wf-cancel-claim']) \gset
select pgqrs_test.queued_workflow('wf-cancel-claim') as wf \gset
select pgqrs.cancel_workflow(:'wf') \gset

-- TEST: a cancelled workflow is never handed to a worker
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'nothing to claim');

select * from finish();
rollback;
