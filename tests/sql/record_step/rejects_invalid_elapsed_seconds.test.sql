begin;
select plan(11);

select * from pgqrs_test.running_workflow() \gset

-- TEST: elapsed seconds must be a number from 0 to 1e9: PQ008 otherwise
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L, -1)', :'workflow_id', 'fetch', :token, '1'),
    'PQ008', null, '-1: PQ008');
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L, -0.001)', :'workflow_id', 'fetch', :token, '1'),
    'PQ008', null, '-0.001: PQ008');
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L, null)', :'workflow_id', 'fetch', :token, '1'),
    'PQ008', null, 'NULL: PQ008');
select throws_ok(format($$select pgqrs.record_step(%L, %L, %s, 1, %L, 'NaN')$$, :'workflow_id', 'fetch', :token, '1'),
    'PQ008', null, 'NaN: PQ008');
select throws_ok(format($$select pgqrs.record_step(%L, %L, %s, 1, %L, 'Infinity')$$, :'workflow_id', 'fetch', :token, '1'),
    'PQ008', null, 'Infinity: PQ008');
select throws_ok(format($$select pgqrs.record_step(%L, %L, %s, 1, %L, '-Infinity')$$, :'workflow_id', 'fetch', :token, '1'),
    'PQ008', null, '-Infinity: PQ008');
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L, 1e9 + 1)', :'workflow_id', 'fetch', :token, '1'),
    'PQ008', null, '1e9 + 1: PQ008');
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L, 1e300)', :'workflow_id', 'fetch', :token, '1'),
    'PQ008', null, '1e300: PQ008 (not an interval overflow)');
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');
-- TEST: 0 is fine
select lives_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L, 0)', :'workflow_id', 'fetch', :token, '1'),
    '0 is accepted');
select is(pgqrs_test.step_count(:'workflow_id'), 1::bigint, 'the step is recorded');

select * from finish();
rollback;
