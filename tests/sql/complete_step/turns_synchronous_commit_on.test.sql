begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset
set local synchronous_commit = off;
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '1') \gset

-- TEST: complete_step commits durably whatever the session's setting
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
