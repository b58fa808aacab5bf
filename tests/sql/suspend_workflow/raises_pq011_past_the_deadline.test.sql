begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "timeout_seconds": 60}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 600) \gset
select pgqrs_test.advance_clock('61 seconds') \gset

-- TEST: past the deadline the runner cannot suspend: PQ011, nothing changes
select throws_ok(format('select pgqrs.suspend_workflow(%L, %s, %L)', :'workflow_id', :token, :'t0'),
    'PQ011', null, 'PQ011');
select is(w.lease_token, :token::bigint, 'the token is unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
