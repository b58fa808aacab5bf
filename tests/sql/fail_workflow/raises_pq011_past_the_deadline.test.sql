begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select workflow_id from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "timeout_seconds": 60, "max_attempts": 3}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 600) \gset
select pgqrs_test.advance_clock('61 seconds') \gset

-- TEST: past the deadline no outcome is recorded, not even a retry: PQ011
select throws_ok(format('select pgqrs.fail_workflow(%L, %s, %L)', :'workflow_id', :token, '"late"'),
    'PQ011', null, 'PQ011');
select results_eq(format('select status, attempt, lease_token from pgqrs.workflows where id = %L', :'workflow_id'),
    format($$values ('RUNNING', 1, %s::bigint)$$, :token), 'unchanged');

select * from finish();
rollback;
