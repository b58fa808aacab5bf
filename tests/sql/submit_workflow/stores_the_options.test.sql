begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id from pgqrs.submit_workflow('wf-options', '{"n": 2}', jsonb_build_object(
    'id', '01900000-0000-7000-8000-000000000001',
    'idempotency_key', 'order-7',
    'run_at', '2030-01-01 01:00:00+00',
    'max_recoveries', 2,
    'deadline', '2030-01-02 00:00:00+00',
    'max_attempts', 4,
    'retry_backoff_seconds', 2.5,
    'retry_max_backoff_seconds', 100)) \gset

-- TEST: every option is stored and describe_workflow returns it
select is(:'workflow_id'::uuid, '01900000-0000-7000-8000-000000000001'::uuid, 'the given id');
select results_eq(
    format('select name, input, idempotency_key, queued, available_at, max_recoveries, deadline_at,
                   attempt, max_attempts, retry_backoff, retry_max_backoff, forked_from
              from pgqrs.describe_workflow(%L)', :'workflow_id'),
    $$values ('wf-options', '{"n": 2}'::jsonb, 'order-7', true, '2030-01-01 01:00:00+00'::timestamptz, 2,
              '2030-01-02 00:00:00+00'::timestamptz, 1, 4, 2.5::float8, 100::float8, null::uuid)$$,
    'the options');

select * from finish();
rollback;
