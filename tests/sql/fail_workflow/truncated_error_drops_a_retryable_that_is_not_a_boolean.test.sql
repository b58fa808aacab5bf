begin;
select plan(3);

select workflow_id from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "max_attempts": 3}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select set_config('pgqrs.max_payload_bytes', '2000', true) \gset

-- TEST: a "retryable" that is not a boolean is not a verdict: the cut-down error drops it ...
select pgqrs.fail_workflow(:'workflow_id', :token,
    jsonb_build_object('type', 'E', 'message', repeat('m', 5000), 'retryable', 'no')) \gset
select ok(not (w.error ? 'retryable'), 'no retryable key') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.error ->> 'truncated', 'true', 'truncated') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... and the workflow is retried as for any error
select is(w.status || ' ' || w.attempt, 'RUNNING 2', 'retried: attempt 2') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
