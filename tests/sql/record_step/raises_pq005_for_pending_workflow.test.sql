begin;
select plan(3);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: a workflow that was never acquired takes no step: PQ005, whatever the token
select throws_ok(format('select pgqrs.record_step(%L, %L, 0, 1, %L)', :'workflow_id', 'fetch', '1'),
    'PQ005', null, 'PENDING workflow, its token 0: PQ005');
select throws_ok(format('select pgqrs.record_step(%L, %L, 1, 1, %L)', :'workflow_id', 'fetch', '1'),
    'PQ005', null, 'PENDING workflow, token 1: PQ005');
-- TEST: and nothing is recorded
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');

select * from finish();
rollback;
