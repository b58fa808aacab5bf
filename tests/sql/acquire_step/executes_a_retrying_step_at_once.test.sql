begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 600, 600) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e1"') \gset
create temp table acquired as select * from pgqrs.acquire_step(:'workflow_id', 'fetch', :token);

-- TEST: acquire_step (the 0.1.0 call, which knows no backoff) runs a RETRYING step at once
select is(a.status, 'EXECUTE', 'EXECUTE') from acquired a;
select is(a.attempt, 2, 'attempt 2') from acquired a;
select is(s.status, 'RUNNING', 'the row is RUNNING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.retry_at, null, 'retry_at cleared') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
