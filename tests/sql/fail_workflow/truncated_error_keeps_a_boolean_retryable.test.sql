begin;
select plan(6);

-- Workflows with attempts left (max_attempts 3), run by their creator.
select workflow_id as big from pgqrs.submit_workflow('wf', '{"n": 1}', '{"queue": false, "max_attempts": 3}') \gset
select token as big_token from pgqrs.acquire_workflow(:'big', 'runner-a') \gset
select workflow_id as deep from pgqrs.submit_workflow('wf', '{"n": 2}', '{"queue": false, "max_attempts": 3}') \gset
select token as deep_token from pgqrs.acquire_workflow(:'deep', 'runner-a') \gset
select set_config('pgqrs.max_payload_bytes', '2000', true) \gset

-- TEST: an error over the size limit with "retryable": false is cut down but keeps its
-- verdict, so the workflow fails at once instead of being retried
select pgqrs.fail_workflow(:'big', :big_token,
    jsonb_build_object('type', 'Fatal', 'message', repeat('m', 5000), 'retryable', false)) \gset
select is(w.status, 'FAILED', 'FAILED, not retried') from pgqrs_test.workflow(:'big') w;
select is(w.error - 'message', '{"type": "Fatal", "traceback": null, "truncated": true, "retryable": false}'::jsonb,
          'retryable false kept') from pgqrs_test.workflow(:'big') w;
-- TEST: so does an error nested too deep
select pgqrs.fail_workflow(:'deep', :deep_token,
    jsonb_build_object('type', 'Fatal', 'message', 'm', 'retryable', false, 'detail', pgqrs_test.nested(257))) \gset
select is(w.status, 'FAILED', 'FAILED, not retried') from pgqrs_test.workflow(:'deep') w;
select is(w.error, '{"type": "Fatal", "message": "m", "traceback": null, "truncated": true, "retryable": false}'::jsonb,
          'retryable false kept') from pgqrs_test.workflow(:'deep') w;
-- TEST: "retryable": true is kept too, and the workflow is retried
select workflow_id as retried from pgqrs.submit_workflow('wf', '{"n": 3}', '{"queue": false, "max_attempts": 3}') \gset
select token as retried_token from pgqrs.acquire_workflow(:'retried', 'runner-a') \gset
select pgqrs.fail_workflow(:'retried', :retried_token,
    jsonb_build_object('type', 'Flaky', 'message', repeat('m', 5000), 'retryable', true)) \gset
select is(w.status || ' ' || w.attempt, 'RUNNING 2', 'retried: attempt 2') from pgqrs_test.workflow(:'retried') w;
select is(w.error -> 'retryable', 'true'::jsonb, 'retryable true kept') from pgqrs_test.workflow(:'retried') w;

select * from finish();
rollback;
