begin;
select plan(1);

select pgqrs_test.new_workflow() as workflow_id \gset
set local synchronous_commit = off;
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset

-- TEST: acquire_workflow commits durably whatever the session's setting
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
