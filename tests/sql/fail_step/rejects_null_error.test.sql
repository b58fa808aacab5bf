begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset

-- TEST: a failure must carry an error
select throws_ok(format('select pgqrs.fail_step(%L, %L, %s, null)', :'workflow_id', 'parse', :token),
    'PQ008', null, 'null error: PQ008');
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');

select * from finish();
rollback;
