begin;
select plan(6);

select pgqrs_test.set_clock() \gset
select workflow_id from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "timeout_seconds": 60}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 600) \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs_test.advance_clock('59.999 seconds') \gset
select pgqrs.record_step(:'workflow_id', 'early', :token, 2, '1') \gset
select pgqrs_test.advance_clock('0.001 seconds') \gset

-- TEST: at the deadline a step result is refused with PQ011: for a new step ...
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 3, %L)', :'workflow_id', 'load', :token, '1'),
    'PQ011', null, 'new step: PQ011');
-- TEST: ... and for the step it had begun
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, '1'),
    'PQ011', null, 'begun step: PQ011');
-- TEST: nothing is recorded (the step before the deadline was)
select is(pgqrs_test.step_count(:'workflow_id'), 2::bigint, 'no new step row');
select is(s.status, 'SUCCESS', 'the step recorded just before the deadline is SUCCESS')
  from pgqrs_test.step(:'workflow_id', 'early') s;
select is(s.status, 'RUNNING', 'the begun step stays RUNNING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.output, null, 'with no output') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
