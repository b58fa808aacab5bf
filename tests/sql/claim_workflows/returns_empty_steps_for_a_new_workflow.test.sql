begin;
select plan(2);

select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow('wf', null) as wf \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-a');

-- TEST: a new workflow has an empty steps object, and a NULL input stays NULL
select is(c.steps, '{}'::jsonb, 'no finished steps') from claimed c;
select is(c.input, null, 'NULL input') from claimed c;

select * from finish();
rollback;
