begin;
select plan(11);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id from pgqrs.submit_workflow('wf-fork-copy', '{"n": 5}', '{"queue": false,
    "max_recoveries": 2, "max_attempts": 3, "retry_backoff_seconds": 4, "retry_max_backoff_seconds": 40,
    "timeout_seconds": 600, "idempotency_key": "fork-src"}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset
select pgqrs.fork_workflow(:'workflow_id') as fork \gset

-- TEST: the fork is a new PENDING workflow, queued now, that names its source
select isnt(:'fork'::uuid, :'workflow_id'::uuid, 'a new id');
select is(w.status, 'PENDING', 'PENDING') from pgqrs_test.workflow(:'fork') w;
select is(w.queued, true, 'queued') from pgqrs_test.workflow(:'fork') w;
select is(w.available_at, :'t1'::timestamptz, 'available now') from pgqrs_test.workflow(:'fork') w;
select is(w.forked_from, :'workflow_id'::uuid, 'forked_from') from pgqrs_test.workflow(:'fork') w;
select is(w.lease_token, 0::bigint, 'never leased') from pgqrs_test.workflow(:'fork') w;
-- TEST: with the same name, input and policies
select results_eq(
    format('select name, input, max_recoveries, max_attempts, retry_backoff, retry_max_backoff from pgqrs.workflows where id = %L', :'fork'),
    format('select name, input, max_recoveries, max_attempts, retry_backoff, retry_max_backoff from pgqrs.workflows where id = %L', :'workflow_id'),
    'name, input and policies');
select is(w.max_attempts, 3, 'max_attempts copied (not the default)') from pgqrs_test.workflow(:'fork') w;
-- TEST: but neither the idempotency key (one key names one workflow) nor the deadline
select is(w.idempotency_key, null, 'no idempotency key') from pgqrs_test.workflow(:'fork') w;
select is(w.deadline_at, null, 'no deadline') from pgqrs_test.workflow(:'fork') w;
select is(w.attempt, 1, 'attempt 1') from pgqrs_test.workflow(:'fork') w;

select * from finish();
rollback;
