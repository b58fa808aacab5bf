begin;
select plan(12);

-- Workflow policy: 3 attempts, backoff 10 s, max 100 s: after 1 failure the delay is in [5, 10].
select pgqrs_test.set_clock() as t0 \gset
select workflow_id from pgqrs.submit_workflow('wf-retry', '{}',
    '{"queue": false, "max_attempts": 3, "retry_backoff_seconds": 10, "retry_max_backoff_seconds": 100}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'fetch') \gset
select pgqrs_test.failed_step(:'workflow_id', :token, 'parse', '"bad"') \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '"bad"') \gset

-- TEST: with attempts left, fail_workflow is a workflow retry: it stays RUNNING, keeps the error ...
select is(w.status, 'RUNNING', 'still RUNNING') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.error, '{"type": null, "message": "bad"}'::jsonb, 'the error is kept') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.finished_at, null, 'not finished') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.attempt, 2, 'attempt 2 next') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... releases the lease (token + 1) ...
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint + 1, 'token + 1') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... and is queued again after the backoff
select is(w.queued, true, 'queued') from pgqrs_test.workflow(:'workflow_id') w;
select ok(w.available_at between :'t0'::timestamptz + interval '5 seconds' and :'t0'::timestamptz + interval '10 seconds',
    'available after 5 to 10 s') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: its FAILED steps become RETRYING; SUCCESS steps stay
select is(s.status, 'RETRYING', 'parse is RETRYING') from pgqrs_test.step(:'workflow_id', 'parse') s;
select is(s.retry_base, 1, 'with a fresh budget') from pgqrs_test.step(:'workflow_id', 'parse') s;
select is(s.status, 'SUCCESS', 'fetch stays SUCCESS') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
