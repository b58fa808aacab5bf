begin;
select plan(13);

-- Policy: 4 attempts, backoff 10 s, max_backoff 25 s. After n failures the delay d satisfies
-- min(25, 10 * 2^(n-1)) / 2 <= d <= min(25, 10 * 2^(n-1)): [5, 10], [10, 20], [12.5, 25].
select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 4, 10, 25) \gset
create temp table fails as
    select 1 as n, f.* from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e1"') f;

-- TEST: a retryable failure with attempts left makes the step RETRYING, due after the backoff
select is(f.status, 'RETRYING', 'first failure: RETRYING') from fails f where n = 1;
select is(f.attempt, 1, 'attempt 1 failed') from fails f where n = 1;
select ok(f.retry_in between 5 and 10, 'retry_in in [5, 10]') from fails f where n = 1;
select is(s.status, 'RETRYING', 'the row is RETRYING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select ok(abs(extract(epoch from s.retry_at - :'t0'::timestamptz) - f.retry_in) < 0.001,
    'retry_at = now + retry_in') from pgqrs_test.step(:'workflow_id', 'fetch') s, fails f where f.n = 1;
select is(s.error, '{"type": null, "message": "e1"}'::jsonb, 'the error is the step''s error')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;

-- TEST: the delay doubles per failure ...
select pgqrs_test.set_clock(s.retry_at) from pgqrs_test.step(:'workflow_id', 'fetch') s \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 4, 10, 25) \gset
insert into fails select 2, f.* from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e2"') f;
select is(f.status, 'RETRYING', 'second failure: RETRYING') from fails f where n = 2;
select is(f.attempt, 2, 'attempt 2 failed') from fails f where n = 2;
select ok(f.retry_in between 10 and 20, 'retry_in in [10, 20]') from fails f where n = 2;
-- TEST: ... and is capped at max_backoff
select pgqrs_test.set_clock(s.retry_at) from pgqrs_test.step(:'workflow_id', 'fetch') s \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 4, 10, 25) \gset
insert into fails select 3, f.* from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e3"') f;
select is(f.status, 'RETRYING', 'third failure: RETRYING') from fails f where n = 3;
select is(f.attempt, 3, 'attempt 3 failed') from fails f where n = 3;
select ok(f.retry_in between 12.5 and 25, 'retry_in in [12.5, 25]') from fails f where n = 3;
-- TEST: each failed attempt has its step_attempts row
select results_eq(
    format('select attempt, error ->> %L from pgqrs.step_attempts where workflow_id = %L order by attempt',
           'message', :'workflow_id'),
    $$values (1, 'e1'), (2, 'e2'), (3, 'e3')$$, 'attempts 1, 2, 3');

select * from finish();
rollback;
