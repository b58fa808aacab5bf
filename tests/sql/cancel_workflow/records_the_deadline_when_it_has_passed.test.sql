begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select workflow_id from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "timeout_seconds": 60}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 600) \gset
select pgqrs_test.advance_clock('2 minutes') \gset

-- TEST: cancelling a workflow past its deadline records the deadline, whatever the reason
select is(pgqrs.cancel_workflow(:'workflow_id', 'user asked'), true, 'returns true');
select is(w.error ->> 'type', 'pgqrs.DeadlineExceeded', 'error pgqrs.DeadlineExceeded')
  from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
