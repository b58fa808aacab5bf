begin;
select plan(1);

set local synchronous_commit = off;
select workflow_id from pgqrs.submit_workflow('wf', '{}', '{"max_attempts": 2}') \gset

-- TEST: submit_workflow commits durably whatever the session's setting
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
