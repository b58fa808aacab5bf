begin;
select plan(7);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
create temp table acquired as select * from pgqrs.acquire_step(:'workflow_id', 'fetch', :token);

-- TEST: an unseen step is handed out to run, as attempt 1
select is(a.status, 'EXECUTE', 'status is EXECUTE') from acquired a;
select is(a.value, null, 'no value') from acquired a;
select is(a.attempt, 1, 'attempt 1') from acquired a;

-- TEST: a RUNNING marker is recorded with the caller's token
select is(s.status, 'RUNNING', 'the row is RUNNING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.attempt, 1, 'the row is at attempt 1') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.lease_token, :token::bigint, 'the row holds the token') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.started_at, :'t0'::timestamptz, 'started_at is now') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
