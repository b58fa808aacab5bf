begin;
select plan(6);

-- Workflow policy: 2 attempts.
select pgqrs_test.set_clock() \gset
select workflow_id from pgqrs.submit_workflow('wf-retry-last', '{}',
    '{"queue": false, "max_attempts": 2, "retry_backoff_seconds": 10}') \gset
select token as t1 from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select pgqrs.fail_workflow(:'workflow_id', :t1, '"first"') \gset
select pgqrs_test.advance_clock('1 minute') as now2 \gset
select token as t2 from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select pgqrs_test.failed_step(:'workflow_id', :t2, 'parse', '"second"') \gset
select pgqrs.fail_workflow(:'workflow_id', :t2, '"second"') \gset

-- TEST: the failure of the last attempt (attempt = max_attempts) makes the workflow FAILED for good
select is(w.status, 'FAILED', 'FAILED') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.attempt, 2, 'attempt 2') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.error, '{"type": null, "message": "second"}'::jsonb, 'the last error') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.finished_at, :'now2'::timestamptz, 'finished now') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :t2::bigint, 'the token is kept') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: its FAILED steps stay FAILED
select is(s.status, 'FAILED', 'parse stays FAILED') from pgqrs_test.step(:'workflow_id', 'parse') s;

select * from finish();
rollback;
