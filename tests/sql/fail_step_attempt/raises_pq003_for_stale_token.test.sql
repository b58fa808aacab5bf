begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
select pgqrs_test.takeover(:'workflow_id') as new_token \gset

-- TEST: a stale token is fenced out with PQ003 ...
select throws_ok(format('select pgqrs.fail_step_attempt(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '"late"'),
    'PQ003', null, 'PQ003');
-- TEST: ... and records nothing
select is(s.status, 'RUNNING', 'the step is still RUNNING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 0::bigint,
    'no attempt row');

select * from finish();
rollback;
