begin;
select plan(1);

set local synchronous_commit = off;
select pgqrs.register_worker('worker-a', array['wf']) \gset

-- TEST: register_worker commits durably whatever the session's setting
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
