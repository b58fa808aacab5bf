begin;
select plan(9);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
select retry_in as first_retry_in from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"timeout"') \gset
select retry_at from pgqrs_test.step(:'workflow_id', 'fetch') \gset
select pgqrs_test.set_clock(:'retry_at'::timestamptz - interval '2 seconds') \gset
create temp table early as select * from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60);

-- TEST: before retry_at a RETRYING step is not run: WAIT for the time that is left
select is(e.status, 'WAIT', 'WAIT before retry_at') from early e;
select is(e.attempt, 1, 'attempt is the one that failed') from early e;
select ok(abs(e.retry_in - 2) < 0.001, 'retry_in is the time left (2 s)') from early e;
select is(s.status, 'RETRYING', 'the row is still RETRYING') from pgqrs_test.step(:'workflow_id', 'fetch') s;

-- TEST: from retry_at on it runs again with the next attempt
select pgqrs_test.set_clock(:'retry_at') as t1 \gset
create temp table due as select * from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60);
select is(d.status, 'EXECUTE', 'EXECUTE at retry_at') from due d;
select is(d.attempt, 2, 'attempt 2') from due d;
select is(s.status, 'RUNNING', 'the row is RUNNING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.retry_at, null, 'retry_at cleared') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.attempt_started_at, :'t1'::timestamptz, 'attempt_started_at is now')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
