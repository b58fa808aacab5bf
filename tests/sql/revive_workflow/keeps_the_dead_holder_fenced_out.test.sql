begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_max_recoveries => 0) \gset
select pgqrs_test.expire_lease(:'workflow_id') \gset
select count(*) from pgqrs.claim_workflows('worker-a') \gset
select pgqrs.revive_workflow(:'workflow_id') \gset

-- TEST: reviving a DEAD workflow does not give its last holder the lease back: the token it
-- held before the move to DEAD stays stale (PQ003) and its writes change nothing
select is(w.lease_token, :token::bigint + 1, 'the token is still the one DEAD moved on to')
  from pgqrs_test.workflow(:'workflow_id') w;
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ003', null,
    'heartbeat: PQ003');
select throws_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, '"late"'),
    'PQ003', null, 'complete_workflow: PQ003');
select is(w.lease_expires_at, null, 'no lease') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.output, null, 'no output') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
