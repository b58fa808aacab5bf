begin;
select plan(1);

select pgqrs_test.set_clock() \gset
select workflow_id as ok_wf, token as ok_token from pgqrs_test.claimed_workflow('worker-a') \gset
select pgqrs.complete_workflow(:'ok_wf', :ok_token, '"ok"') \gset
select workflow_id as failed_wf, token as failed_token from pgqrs_test.claimed_workflow('worker-a') \gset
select pgqrs.fail_workflow(:'failed_wf', :failed_token, '"boom"') \gset
select pgqrs_test.advance_clock('1 hour') \gset

-- TEST: SUCCESS and FAILED workflows are never claimed again
select is_empty($$select * from pgqrs.claim_workflows('worker-a', 10)$$, 'nothing to claim');

select * from finish();
rollback;
