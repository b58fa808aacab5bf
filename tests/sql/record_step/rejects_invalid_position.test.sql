begin;
select plan(5);

select * from pgqrs_test.running_workflow() \gset

-- TEST: the position must be 1 or more: NULL, 0 and negatives raise PQ008
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, null, %L)', :'workflow_id', 'fetch', :token, '1'),
    'PQ008', null, 'NULL position: PQ008');
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 0, %L)', :'workflow_id', 'fetch', :token, '1'),
    'PQ008', null, 'position 0: PQ008');
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, -1, %L)', :'workflow_id', 'fetch', :token, '1'),
    'PQ008', null, 'position -1: PQ008');
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');
-- TEST: position 1 is fine
select lives_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, '1'),
    'position 1 is accepted');

select * from finish();
rollback;
