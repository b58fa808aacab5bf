begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset
set local synchronous_commit = off;
select pgqrs.suspend_workflow(:'workflow_id', :token, now()) \gset

-- TEST: suspend_workflow commits durably whatever the session's setting
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
