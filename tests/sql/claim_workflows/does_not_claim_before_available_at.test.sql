begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz + interval '1 minute') as wf \gset

-- TEST: a workflow is not claimed before its available_at ...
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'not yet');
select pgqrs_test.advance_clock('59 seconds') \gset
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'not one second early');
-- TEST: ... and is claimed from then on
select pgqrs_test.advance_clock('1 second') \gset
select results_eq($$select workflow_id from pgqrs.claim_workflows('worker-a')$$,
                  format('values (%L::uuid)', :'wf'), 'claimed at available_at');

select * from finish();
rollback;
