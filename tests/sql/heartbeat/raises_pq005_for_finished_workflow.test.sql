begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.complete_workflow(:'workflow_id', :token, '"done"') \gset

-- TEST: a finished workflow has no lease to extend
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token),
    'PQ005', null, 'SUCCESS workflow: PQ005');

select * from finish();
rollback;
