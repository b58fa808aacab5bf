begin;
select plan(9);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.suspend_workflow(:'workflow_id', :token, :'t0'::timestamptz + interval '1 hour') \gset

-- TEST: suspend_workflow gives the lease up: RUNNING, no owner, no expiry, token + 1 ...
select is(w.status, 'RUNNING', 'still RUNNING') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint + 1, 'the token moved on') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... queued for workers from p_until on
select is(w.queued, true, 'queued') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.available_at, :'t0'::timestamptz + interval '1 hour', 'available_at is p_until')
  from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: it is not a recovery
select is(w.recoveries, 0, 'recoveries unchanged') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: the suspended token is fenced out
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ003', null,
    'heartbeat with the old token: PQ003');
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1)', :'workflow_id', 'fetch', :token), 'PQ003', null,
    'begin_step with the old token: PQ003');

select * from finish();
rollback;
