begin;
select plan(4);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset

-- TEST: a NULL error, a NULL retryable or an empty step key raise PQ008 and record nothing
select throws_ok(format('select pgqrs.fail_step_attempt(%L, %L, %s, null)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'NULL error: PQ008');
select throws_ok(format('select pgqrs.fail_step_attempt(%L, %L, %s, %L, null)', :'workflow_id', 'fetch', :token, '"e"'),
    'PQ008', null, 'NULL retryable: PQ008');
select throws_ok(format('select pgqrs.fail_step_attempt(%L, %L, %s, %L)', :'workflow_id', '', :token, '"e"'),
    'PQ008', null, 'empty step key: PQ008');
select is(s.status, 'RUNNING', 'the step is unchanged') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
