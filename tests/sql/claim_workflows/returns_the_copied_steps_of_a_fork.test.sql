begin;
select plan(1);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'fetch', '"rows"') \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'parse', '"old"') \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs.fork_workflow(:'workflow_id', 'parse') as fork \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-a');

-- TEST: a fork is PENDING but has finished steps: the claim returns them, as acquire_workflow
-- does ("its finished steps (as acquire_workflow returns them)")
select is(c.steps -> 'fetch' ->> 'status', 'SUCCESS', 'the copied step is in steps')
  from claimed c where c.workflow_id = :'fork';

select * from finish();
rollback;
