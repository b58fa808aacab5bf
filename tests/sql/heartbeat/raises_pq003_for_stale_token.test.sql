begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as new_token \gset
select lease_expires_at as expiry_before from pgqrs_test.workflow(:'workflow_id') \gset

-- TEST: the runner whose lease was taken over learns it at its next heartbeat
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token),
    'PQ003', null, 'token from before the takeover: PQ003');
select is(w.lease_expires_at, :'expiry_before'::timestamptz, 'the new holder''s lease is unchanged')
  from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
