begin;
select plan(8);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as new_token \gset
create temp table begun as select * from pgqrs.begin_step(:'workflow_id', 'fetch', :new_token, 1, 3, 10, 60);

-- TEST: a RUNNING step left by a runner that died (no timeout) runs again at once, attempt + 1
select is(b.status, 'EXECUTE', 'EXECUTE') from begun b;
select is(b.attempt, 2, 'attempt 2') from begun b;
select is(s.owner, 'runner-b', 'the new runner owns the attempt') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.lease_token, :new_token::bigint, 'with the new token') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.started_at, :'t0'::timestamptz, 'started_at is when the first attempt started')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;
-- TEST: the abandoned attempt is recorded as such, with the runner that left it
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 1::bigint,
    'one step_attempts row');
select is(a.error ->> 'type', 'pgqrs.Abandoned', 'type pgqrs.Abandoned')
  from pgqrs.step_attempts a where a.workflow_id = :'workflow_id' and a.attempt = 1;
select is(a.owner, 'runner-a', 'left by runner-a')
  from pgqrs.step_attempts a where a.workflow_id = :'workflow_id' and a.attempt = 1;

select * from finish();
rollback;
