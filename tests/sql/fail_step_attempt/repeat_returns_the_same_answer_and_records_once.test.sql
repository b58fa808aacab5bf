begin;
select plan(8);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
create temp table first as select * from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e1"');
select pgqrs_test.advance_clock('1 second') \gset
create temp table again as select * from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e1"');

-- TEST: repeating a retryable failure (a lost reply) returns the same status and attempt ...
select is(a.status, 'RETRYING', 'RETRYING again') from again a;
select is(a.attempt, 1, 'the same attempt') from again a;
select ok(abs(a.retry_in - (f.retry_in - 1)) < 0.001, 'retry_in is the time still left') from again a, first f;
-- TEST: ... and records no second attempt
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 1::bigint,
    'one step_attempts row');

-- TEST: the same holds for a failure that failed the step
select status from pgqrs.begin_step(:'workflow_id', 'other', :token, 2) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'other', :token, '"e2"') \gset
create temp table again2 as select * from pgqrs.fail_step_attempt(:'workflow_id', 'other', :token, '"e2"');
select is(a.status, 'FAILED', 'FAILED again') from again2 a;
select is(a.attempt, 1, 'the same attempt') from again2 a;
select is(a.retry_in, 0::float8, 'retry_in 0') from again2 a;
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id' and a.step_key = 'other'),
    1::bigint, 'one step_attempts row');

select * from finish();
rollback;
