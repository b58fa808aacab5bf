begin;
select plan(1);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: a workflow that was never acquired takes no step outcome
select throws_ok(format('select pgqrs.complete_step(%L, %L, 0, %L)', :'workflow_id', 'fetch', '1'),
    'PQ005', null, 'PENDING workflow: PQ005');

select * from finish();
rollback;
