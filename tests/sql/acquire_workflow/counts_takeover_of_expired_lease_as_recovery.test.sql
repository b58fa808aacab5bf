begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as token2 \gset

-- TEST: taking over an expired lease of another owner counts as a recovery
select is(:token2::bigint, 2::bigint, 'token 2');
select is(w.recoveries, 1, 'recoveries 1') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
