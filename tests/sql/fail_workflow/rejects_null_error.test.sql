begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset

-- TEST: a failure must carry an error
select throws_ok(format('select pgqrs.fail_workflow(%L, %s, null)', :'workflow_id', :token),
    'PQ008', null, 'null error: PQ008');

select * from finish();
rollback;
