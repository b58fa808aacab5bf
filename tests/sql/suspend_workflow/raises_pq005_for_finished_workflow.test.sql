begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.complete_workflow(:'workflow_id', :token, '"done"') \gset

-- TEST: a finished workflow cannot be suspended: PQ005
select throws_ok(format('select pgqrs.suspend_workflow(%L, %s, now())', :'workflow_id', :token),
    'PQ005', null, 'PQ005');

select * from finish();
rollback;
