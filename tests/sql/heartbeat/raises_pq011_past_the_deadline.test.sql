begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select workflow_id from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "timeout_seconds": 60}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 600) \gset
select lease_expires_at as expires from pgqrs_test.workflow(:'workflow_id') \gset
select pgqrs_test.advance_clock('60 seconds') \gset

-- TEST: at the deadline heartbeat raises PQ011 and does not extend the lease
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ011', null, 'PQ011');
select is(w.lease_expires_at, :'expires'::timestamptz, 'not extended') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
