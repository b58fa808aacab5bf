begin;
select plan(5);

select * from pgqrs_test.running_workflow() \gset

-- TEST: a step key must be a non-blank string of at most 512 characters
select throws_ok(format('select pgqrs.acquire_step(%L, %L, %s)', :'workflow_id', '', :token),
    'PQ008', null, 'empty key: PQ008');
select throws_ok(format('select pgqrs.acquire_step(%L, %L, %s)', :'workflow_id', '  ', :token),
    'PQ008', null, 'blank key: PQ008');
select throws_ok(format('select pgqrs.acquire_step(%L, null, %s)', :'workflow_id', :token),
    'PQ008', null, 'null key: PQ008');
select throws_ok(format('select pgqrs.acquire_step(%L, %L, %s)', :'workflow_id', repeat('k', 513), :token),
    'PQ008', null, '513-character key: PQ008');
select lives_ok(format('select pgqrs.acquire_step(%L, %L, %s)', :'workflow_id', repeat('k', 512), :token),
    'a 512-character key is accepted');

select * from finish();
rollback;
