begin;
select plan(10);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
create temp table begun as
    select * from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 2, 60, 30);

-- TEST: an unseen step is handed out to run: EXECUTE, attempt 1, no wait
select is(b.status, 'EXECUTE', 'status is EXECUTE') from begun b;
select is(b.value, null, 'no value') from begun b;
select is(b.attempt, 1, 'attempt 1') from begun b;
select is(b.retry_in, 0::float8, 'retry_in 0') from begun b;
-- TEST: the step row is RUNNING with its position, policy, timeout and runner
select is(s.status, 'RUNNING', 'the row is RUNNING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.position, 1, 'position 1') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.policy, '{"max_attempts": 3, "backoff": 2, "max_backoff": 60}'::jsonb, 'the policy is stored')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.timeout_at, :'t0'::timestamptz + interval '30 seconds', 'timeout_at is now + 30 s')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.owner, 'runner-a', 'owner is the lease owner') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.lease_token, :token::bigint, 'the row holds the token') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
