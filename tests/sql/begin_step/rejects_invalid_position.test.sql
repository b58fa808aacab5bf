begin;
select plan(4);

select * from pgqrs_test.running_workflow() \gset

-- TEST: the position must be 1 or more: NULL, 0 and negatives raise PQ008
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, null)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'NULL position: PQ008');
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 0)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'position 0: PQ008');
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, -1)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'position -1: PQ008');
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');

select * from finish();
rollback;
