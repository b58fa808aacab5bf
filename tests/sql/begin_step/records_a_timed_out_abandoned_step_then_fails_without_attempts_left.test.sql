begin;
select plan(6);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
-- One attempt only (the default policy), with a 5 s timeout.
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, p_timeout_seconds => 5) \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as new_token \gset
create temp table begun as select * from pgqrs.begin_step(:'workflow_id', 'fetch', :new_token, 1, p_timeout_seconds => 5);

-- TEST: a timed-out attempt with no attempts left under the stored policy fails the step
select is(b.status, 'FAILED', 'FAILED') from begun b;
select is(b.value ->> 'type', 'pgqrs.StepTimeout', 'value is the timeout error') from begun b;
select is(b.attempt, 1, 'attempt 1') from begun b;
select is(s.status, 'FAILED', 'the row is FAILED') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.error, b.value, 'with that error') from pgqrs_test.step(:'workflow_id', 'fetch') s, begun b;
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 1::bigint,
    'one step_attempts row');

select * from finish();
rollback;
