begin;
select plan(1);

select pgqrs_test.dead_workflow() as wf \gset
set local synchronous_commit = off;
select pgqrs.revive_workflow(:'wf') \gset

-- TEST: revive_workflow commits durably whatever the session's setting
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
