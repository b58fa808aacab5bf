begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status as first_status from pgqrs.acquire_step(:'workflow_id', 'fetch', :token) \gset
select pgqrs_test.takeover(:'workflow_id') as new_token \gset
create temp table acquired as select * from pgqrs.acquire_step(:'workflow_id', 'fetch', :new_token);

-- TEST: a step left RUNNING by a dead runner is handed out again with the next attempt
select is(a.status, 'EXECUTE', 'status is EXECUTE') from acquired a;
select is(a.attempt, 2, 'attempt 2') from acquired a;
select is(s.attempt, 2, 'the row is at attempt 2') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.lease_token, :new_token::bigint, 'the row holds the new token')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.started_at, '2030-01-01 00:00:00+00'::timestamptz, 'started_at is when the first attempt started')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
