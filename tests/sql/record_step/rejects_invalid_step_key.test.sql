begin;
select plan(7);

select * from pgqrs_test.running_workflow() \gset

-- TEST: a step key must be a non-blank string of at most 512 characters: PQ008 otherwise
select throws_ok(format('select pgqrs.record_step(%L, null, %s, 1, %L)', :'workflow_id', :token, '1'),
    'PQ008', null, 'NULL key: PQ008');
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', '', :token, '1'),
    'PQ008', null, 'empty key: PQ008');
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', e' \t\n ', :token, '1'),
    'PQ008', null, 'blank key: PQ008');
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', repeat('k', 513), :token, '1'),
    'PQ008', null, '513-character key: PQ008');
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');
-- TEST: 512 characters, and white space around a key, are fine
select lives_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', repeat('k', 512), :token, '1'),
    '512-character key is accepted');
select lives_ok(format('select pgqrs.record_step(%L, %L, %s, 2, %L)', :'workflow_id', ' k ', :token, '1'),
    'a key with spaces around it is accepted');

select * from finish();
rollback;
