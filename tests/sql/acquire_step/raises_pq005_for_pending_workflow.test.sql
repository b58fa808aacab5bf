begin;
select plan(2);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: a workflow that was never acquired has no token to run steps with
select throws_ok(format('select pgqrs.acquire_step(%L, %L, 0)', :'workflow_id', 'fetch'),
    'PQ005', null, 'PENDING workflow: PQ005');
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');

select * from finish();
rollback;
