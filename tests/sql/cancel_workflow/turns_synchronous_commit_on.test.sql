begin;
select plan(1);

select pgqrs_test.new_workflow() as wf \gset
set local synchronous_commit = off;
select pgqrs.cancel_workflow(:'wf') \gset

-- TEST: cancel_workflow commits durably whatever the session's setting
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
