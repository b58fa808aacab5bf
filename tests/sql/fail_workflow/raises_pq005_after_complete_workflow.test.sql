begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.complete_workflow(:'workflow_id', :token, '"done"') \gset

-- TEST: a SUCCESS workflow cannot be failed
select throws_ok(format('select pgqrs.fail_workflow(%L, %s, %L)', :'workflow_id', :token, '"boom"'),
    'PQ005', null, 'SUCCESS workflow: PQ005');

select * from finish();
rollback;
