begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset
set local synchronous_commit = off;
select pgqrs.fail_step(:'workflow_id', 'fetch', :token, '"boom"') \gset

-- TEST: fail_step commits durably whatever the session's setting
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
