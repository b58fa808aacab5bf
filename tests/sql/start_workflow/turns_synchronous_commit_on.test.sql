begin;
select plan(1);

set local synchronous_commit = off;
select workflow_id from pgqrs.start_workflow('wf') \gset

-- TEST: start_workflow commits durably whatever the session's setting
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
