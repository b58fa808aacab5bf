begin;
select plan(13);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60, 5) \gset
-- runner-a dies inside the step; its lease expires long after the step's 5 s timeout.
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as new_token \gset
select pgqrs.now() as t1 \gset
create temp table begun as select * from pgqrs.begin_step(:'workflow_id', 'fetch', :new_token, 1, 3, 10, 60, 5);

-- TEST: the timed-out attempt is recorded in step_attempts with a pgqrs.StepTimeout error ...
select is(a.attempt, 1, 'attempt 1') from pgqrs.step_attempts a where a.workflow_id = :'workflow_id';
select is(a.error ->> 'type', 'pgqrs.StepTimeout', 'type pgqrs.StepTimeout')
  from pgqrs.step_attempts a where a.workflow_id = :'workflow_id';
select is(a.owner, 'runner-a', 'owned by the runner that ran it')
  from pgqrs.step_attempts a where a.workflow_id = :'workflow_id';
select is(a.started_at, :'t0'::timestamptz, 'started when that attempt started')
  from pgqrs.step_attempts a where a.workflow_id = :'workflow_id';
select is(a.finished_at, :'t1'::timestamptz, 'finished now')
  from pgqrs.step_attempts a where a.workflow_id = :'workflow_id';
-- TEST: ... and, attempts being left under the stored policy, the step waits for its backoff
select is(b.status, 'WAIT', 'WAIT') from begun b;
select is(b.attempt, 1, 'attempt is the timed-out one') from begun b;
select ok(b.retry_in between 5 and 10, 'retry_in within [10/2, 10]') from begun b;
select is(s.status, 'RETRYING', 'the row is RETRYING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select ok(abs(extract(epoch from s.retry_at - :'t1'::timestamptz) - b.retry_in) < 0.001,
    'retry_at = now + retry_in') from pgqrs_test.step(:'workflow_id', 'fetch') s, begun b;
select is(s.error ->> 'type', 'pgqrs.StepTimeout', 'the step error is the timeout')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;
-- TEST: recording it commits durably
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');
-- TEST: once the backoff has passed, the next attempt runs
select pgqrs_test.set_clock(s.retry_at) from pgqrs_test.step(:'workflow_id', 'fetch') s \gset
select results_eq(
    format('select status, attempt from pgqrs.begin_step(%L, %L, %s, 1, 3, 10, 60, 5)',
           :'workflow_id', 'fetch', :new_token),
    $$values ('EXECUTE', 2)$$, 'EXECUTE attempt 2');

select * from finish();
rollback;
