begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select workflow_id as mine, token as my_token from pgqrs_test.claimed_workflow('worker-a') \gset
select workflow_id as done, token as done_token from pgqrs_test.claimed_workflow('worker-a') \gset
select pgqrs.complete_workflow(:'done', :done_token, '"ok"') \gset
select workflow_id as theirs from pgqrs_test.claimed_workflow('worker-b') \gset
select workflow_id as runner_wf from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.register_worker('worker-a', array['wf']) as released \gset

-- TEST: only the RUNNING workflows leased by that worker name are released
select is(:released::integer, 1, 'one lease released');
select is(w.lease_owner, null, 'its running workflow is released') from pgqrs_test.workflow(:'mine') w;
select is(w.recoveries, 0, 'a finished workflow is not touched') from pgqrs_test.workflow(:'done') w;
select is(w.lease_owner, 'worker-b', 'another worker keeps its lease') from pgqrs_test.workflow(:'theirs') w;
select is(w.lease_owner, 'runner-a', 'a runner keeps its lease') from pgqrs_test.workflow(:'runner_wf') w;

select * from finish();
rollback;
