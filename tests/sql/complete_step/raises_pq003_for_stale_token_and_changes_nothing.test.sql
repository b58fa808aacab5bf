begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select status from pgqrs.acquire_step(:'workflow_id', 'fetch', :token) \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as new_token \gset
select lease_expires_at as expiry_before from pgqrs_test.workflow(:'workflow_id') \gset
select pgqrs_test.advance_clock('5 seconds') \gset

-- TEST: the runner whose lease was taken over is fenced out
select throws_ok(
    format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '1'),
    'PQ003', null, 'token from before the takeover: PQ003');
-- TEST: and changes nothing: neither the step nor the new holder's lease
select is(s.status, 'RUNNING', 'the step stays RUNNING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.output, null, 'no output stored') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(w.lease_expires_at, :'expiry_before'::timestamptz, 'the lease is not extended')
  from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, 'runner-b', 'runner-b keeps the lease') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
