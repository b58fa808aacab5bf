begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf-a', 'wf-b']) \gset
select pgqrs_test.queued_workflow(p_name => 'wf-a', p_run_at => :'t0'::timestamptz - interval '1 minute') as newer \gset
select pgqrs_test.queued_workflow(p_name => 'wf-b', p_run_at => :'t0'::timestamptz - interval '2 minutes') as older \gset

-- TEST: with several names, the name whose oldest runnable workflow is oldest goes first (not
-- the first name in alphabetical order)
select results_eq($$select workflow_id from pgqrs.claim_workflows('worker-a')$$,
                  format('values (%L::uuid)', :'older'), 'wf-b, whose workflow is older');
select results_eq($$select workflow_id from pgqrs.claim_workflows('worker-a')$$,
                  format('values (%L::uuid)', :'newer'), 'then wf-a');

select * from finish();
rollback;
