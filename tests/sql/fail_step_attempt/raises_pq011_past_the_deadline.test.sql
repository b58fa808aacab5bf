begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select workflow_id from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "timeout_seconds": 60}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 600) \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
select pgqrs_test.advance_clock('61 seconds') \gset

-- TEST: past the deadline a failed attempt is not recorded: PQ011
select throws_ok(format('select pgqrs.fail_step_attempt(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '"e"'),
    'PQ011', null, 'PQ011');
select is(s.status, 'RUNNING', 'the step is unchanged') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
