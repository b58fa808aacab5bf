begin;
select plan(1);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: a workflow that was never acquired has no lease to extend
select throws_ok(format('select pgqrs.heartbeat(%L, 0)', :'workflow_id'),
    'PQ005', null, 'PENDING workflow: PQ005');

select * from finish();
rollback;
