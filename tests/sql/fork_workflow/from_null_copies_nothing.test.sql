begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'fetch') \gset
select pgqrs.fork_workflow(:'workflow_id') as fork \gset

-- TEST: without a step, the fork is a fresh run of the same input: no steps
select is(pgqrs_test.step_count(:'fork'), 0::bigint, 'no steps');
select is(w.forked_from, :'workflow_id'::uuid, 'forked_from names the source') from pgqrs_test.workflow(:'fork') w;

select * from finish();
rollback;
