begin;
select plan(1);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: a workflow that was never acquired cannot be failed
select throws_ok(format('select pgqrs.fail_workflow(%L, 0, %L)', :'workflow_id', '"boom"'),
    'PQ005', null, 'PENDING workflow: PQ005');

select * from finish();
rollback;
