begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 60) \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60, 5) \gset
select pgqrs_test.advance_clock('6 seconds') \gset
create temp table failed as select * from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"too slow"');

-- TEST: past the step's timeout complete_step is refused (PQ012) but a failed attempt is still
-- recorded, and the policy applies
select is(f.status, 'RETRYING', 'RETRYING') from failed f;
select is(s.status, 'RETRYING', 'the row is RETRYING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 1::bigint,
    'the attempt is recorded');

select * from finish();
rollback;
