begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select workflow_id from pgqrs.submit_workflow('wf', '{"n": 1}',
    '{"queue": false, "timeout_seconds": 60, "max_attempts": 2, "retry_backoff_seconds": 3}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset

-- TEST: describe_workflow returns the workflow's row: what get_workflow returns and the new fields
select results_eq(
    format('select * from pgqrs.describe_workflow(%L)', :'workflow_id'),
    format($$select id, name, status, idempotency_key, input, output, error, lease_owner, lease_token,
                    lease_expires_at, created_at, updated_at, started_at, finished_at,
                    queued, available_at, recoveries, max_recoveries,
                    deadline_at, attempt, max_attempts, retry_backoff, retry_max_backoff, forked_from,
                    parent_id, waiting_for
               from pgqrs.workflows where id = %L$$, :'workflow_id'),
    'the same values as the table');
select results_eq(
    format('select deadline_at, attempt, max_attempts, retry_backoff, retry_max_backoff from pgqrs.describe_workflow(%L)',
           :'workflow_id'),
    $$values ('2030-01-01 00:01:00+00'::timestamptz, 1, 2, 3::float8, 3600::float8)$$,
    'deadline, attempt and retry policy');

select * from finish();
rollback;
