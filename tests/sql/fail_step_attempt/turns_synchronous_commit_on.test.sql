begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
set local synchronous_commit = off;
select status from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e"') \gset

-- TEST: fail_step_attempt commits durably whatever the session's setting
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
