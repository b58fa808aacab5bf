begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
create temp table failed as select * from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"boom"');

-- TEST: a step begun with the default policy (one attempt) fails at its first failure
select is(f.status, 'FAILED', 'FAILED') from failed f;
select is(s.status, 'FAILED', 'the row is FAILED') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
