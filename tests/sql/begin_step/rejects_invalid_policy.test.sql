begin;
select plan(12);

select * from pgqrs_test.running_workflow() \gset

-- TEST: max_attempts must be in 1..1000
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1, 0)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'max_attempts 0: PQ008');
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1, 1001)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'max_attempts 1001: PQ008');
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1, null)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'max_attempts NULL: PQ008');
select lives_ok(format('select pgqrs.begin_step(%L, %L, %s, 1, 1000)', :'workflow_id', 'edge', :token),
    'max_attempts 1000 is accepted');
-- TEST: backoff must satisfy 0 < backoff <= max_backoff <= 31 days, finite
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1, 3, 0)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'backoff 0: PQ008');
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1, 3, -1)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'backoff -1: PQ008');
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1, 3, 10, 5)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'max_backoff < backoff: PQ008');
select throws_ok(format($$select pgqrs.begin_step(%L, %L, %s, 1, 3, 'NaN')$$, :'workflow_id', 'fetch', :token),
    'PQ008', null, 'backoff NaN: PQ008');
select throws_ok(format($$select pgqrs.begin_step(%L, %L, %s, 1, 3, 1, 'NaN')$$, :'workflow_id', 'fetch', :token),
    'PQ008', null, 'max_backoff NaN: PQ008');
select throws_ok(format($$select pgqrs.begin_step(%L, %L, %s, 1, 3, 1, 'Infinity')$$, :'workflow_id', 'fetch', :token),
    'PQ008', null, 'max_backoff Infinity: PQ008');
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1, 3, 1, 2678401)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'max_backoff over 31 days: PQ008');
-- TEST: nothing is written for a rejected call
select is(pgqrs_test.step_count(:'workflow_id'), 1::bigint, 'only the accepted step');

select * from finish();
rollback;
