begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "timeout_seconds": 60}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 600) \gset
select pgqrs_test.advance_clock('60 seconds') \gset

-- TEST: at the deadline (the lease is still live) a sleep raises PQ011 ...
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 1)', :'workflow_id', 'nap', :token),
    'PQ011', null, 'PQ011 at the deadline');
-- TEST: ... records nothing and does not suspend the workflow
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');
select is(w.lease_token, :token::bigint, 'the token is unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
