begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset

-- TEST: with the defaults (one attempt, no timeout) the row has no policy and no timeout
select is(s.policy, null, 'no policy') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.timeout_at, null, 'no timeout') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.retry_base, 0, 'retry_base 0') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
