begin;
select plan(1);

select pgqrs_test.worker('worker-a', array['wf']) \gset
set local synchronous_commit = off;
select pgqrs.stop_worker('worker-a') \gset

-- TEST: stop_worker commits durably whatever the session's setting
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
