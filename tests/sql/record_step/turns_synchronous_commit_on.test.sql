begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset

-- TEST: after earlier writes in the transaction, record_step commits durably whatever the
-- session's setting: for a new step ...
set local synchronous_commit = off;
select pgqrs.record_step(:'workflow_id', 'load', :token, 2, '1') \gset
select is(current_setting('synchronous_commit'), 'on', 'new step: synchronous_commit is on');
-- TEST: ... for a begun step ...
set local synchronous_commit = off;
select pgqrs.record_step(:'workflow_id', 'fetch', :token, 1, '1') \gset
select is(current_setting('synchronous_commit'), 'on', 'begun step: synchronous_commit is on');
-- TEST: ... and for a repeat
set local synchronous_commit = off;
select pgqrs.record_step(:'workflow_id', 'load', :token, 2, '1') \gset
select is(current_setting('synchronous_commit'), 'on', 'repeat: synchronous_commit is on');

select * from finish();
rollback;
