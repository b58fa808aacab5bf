begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '"boom"') \gset
set local synchronous_commit = off;
select pgqrs.resume_workflow(:'workflow_id') \gset

-- TEST: resume_workflow commits durably whatever the session's setting
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
