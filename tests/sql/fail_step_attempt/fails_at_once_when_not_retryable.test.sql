begin;
select plan(4);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 5, 10, 60) \gset
create temp table failed as
    select * from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '{"type": "KeyError", "message": "id"}', false);

-- TEST: p_retryable false fails the step at once, whatever attempts are left
select is(f.status, 'FAILED', 'FAILED') from failed f;
select is(f.attempt, 1, 'attempt 1') from failed f;
select is(s.status, 'FAILED', 'the row is FAILED') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 1::bigint,
    'the attempt is recorded');

select * from finish();
rollback;
