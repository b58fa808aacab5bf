begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset

-- TEST: a step key must be a non-blank string of at most 512 characters
select throws_ok(format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', '', :token, '1'),
    'PQ008', null, 'empty key: PQ008');
select throws_ok(format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', repeat('k', 513), :token, '1'),
    'PQ008', null, '513-character key: PQ008');

select * from finish();
rollback;
