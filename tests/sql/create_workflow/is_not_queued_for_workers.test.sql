begin;
select plan(3);

select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.new_workflow('wf') as wf \gset

-- TEST: a workflow made by create_workflow is for its caller to run: it is not queued ...
select is(w.queued, false, 'not queued') from pgqrs_test.workflow(:'wf') w;
select is(w.available_at, null, 'no available_at') from pgqrs_test.workflow(:'wf') w;
-- TEST: ... so a worker serving its name never claims it
select is_empty($$select * from pgqrs.claim_workflows('worker-a', 10)$$, 'nothing to claim');

select * from finish();
rollback;
