begin;
select plan(6);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 2, 10, 60) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e1"') \gset
select pgqrs_test.set_clock(s.retry_at) from pgqrs_test.step(:'workflow_id', 'fetch') s \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 2, 10, 60) \gset
create temp table failed as select * from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e2"');

-- TEST: the failure of the last attempt allowed (max_attempts 2) fails the step for good
select is(f.status, 'FAILED', 'FAILED') from failed f;
select is(f.attempt, 2, 'attempt 2') from failed f;
select is(f.retry_in, 0::float8, 'retry_in 0') from failed f;
select is(s.status, 'FAILED', 'the row is FAILED') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.error, '{"type": null, "message": "e2"}'::jsonb, 'with the last error')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;
-- TEST: the next begin_step returns FAILED with that error
select results_eq(
    format('select status, value from pgqrs.begin_step(%L, %L, %s, 1, 2, 10, 60)', :'workflow_id', 'fetch', :token),
    $$values ('FAILED', '{"type": null, "message": "e2"}'::jsonb)$$, 'FAILED with the error');

select * from finish();
rollback;
