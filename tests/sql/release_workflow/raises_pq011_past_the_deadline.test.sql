begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select workflow_id from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "timeout_seconds": 60}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 600) \gset
select pgqrs_test.advance_clock('61 seconds') \gset

-- TEST: past the deadline every write raises PQ011 (header: RETRIES, TIMEOUTS), release too ...
select throws_ok(format('select pgqrs.release_workflow(%L, %s)', :'workflow_id', :token), 'PQ011', null, 'PQ011');
-- TEST: ... and changes nothing
select is(w.lease_token, :token::bigint, 'the token is unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
