begin;
select plan(13);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, p_timeout_seconds => 30) \gset
select pgqrs_test.advance_clock('5 seconds') as t1 \gset
select pgqrs.record_step(:'workflow_id', 'fetch', :token, 1, '{"rows": 3}', p_elapsed_seconds => 2.5) \gset

-- TEST: a RUNNING step begun by begin_step becomes SUCCESS with the output, as the same attempt
select is(s.status, 'SUCCESS', 'status is SUCCESS') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.output, '{"rows": 3}'::jsonb, 'the output is stored') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.attempt, 1, 'still attempt 1') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.position, 1, 'position 1') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.finished_at, :'t1'::timestamptz, 'finished_at is now') from pgqrs_test.step(:'workflow_id', 'fetch') s;
-- TEST: it keeps the start begin_step recorded (elapsed seconds do not move it)
select is(s.started_at, :'t0'::timestamptz, 'started_at is kept') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.attempt_started_at, :'t0'::timestamptz, 'attempt_started_at is kept')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(pgqrs_test.step_count(:'workflow_id'), 1::bigint, 'one step row');

-- TEST: a step on its second attempt keeps that attempt and its start, and the first start
select status from pgqrs.begin_step(:'workflow_id', 'load', :token, 2, 3, 10, 60) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'load', :token, '"e1"') \gset
select pgqrs_test.advance_clock('11 seconds') as t2 \gset
select status, attempt from pgqrs.begin_step(:'workflow_id', 'load', :token, 2, 3, 10, 60) \gset
select pgqrs_test.advance_clock('3 seconds') as t3 \gset
select pgqrs.record_step(:'workflow_id', 'load', :token, 2, '"loaded"') \gset
select is(s.status, 'SUCCESS', 'SUCCESS') from pgqrs_test.step(:'workflow_id', 'load') s;
select is(s.attempt, 2, 'attempt 2') from pgqrs_test.step(:'workflow_id', 'load') s;
select is(s.started_at, :'t1'::timestamptz, 'started_at is the first attempt''s')
  from pgqrs_test.step(:'workflow_id', 'load') s;
select is(s.attempt_started_at, :'t2'::timestamptz, 'attempt_started_at is the second attempt''s')
  from pgqrs_test.step(:'workflow_id', 'load') s;
select is(s.finished_at, :'t3'::timestamptz, 'finished_at is now') from pgqrs_test.step(:'workflow_id', 'load') s;

select * from finish();
rollback;
