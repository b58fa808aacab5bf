begin;
select plan(11);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id as wf1, token as token1 from pgqrs_test.claimed_workflow('worker-a') \gset
select workflow_id as wf2, token as token2 from pgqrs_test.claimed_workflow('worker-a') \gset
select pgqrs_test.advance_clock('5 seconds') as t1 \gset
-- worker-a restarts while its leases are still live: its previous process died holding them.
select pgqrs.register_worker('worker-a', array['wf']) as released \gset

-- TEST: re-registering releases the leases the previous incarnation held and returns how many;
-- each token moves on, so the previous incarnation is fenced out at once
select is(:released::integer, 2, 'two leases released');
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'wf1') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'wf1') w;
select is(w.status, 'RUNNING', 'still RUNNING') from pgqrs_test.workflow(:'wf1') w;
select is(w.lease_token, :token1::bigint + 1, 'the token moved on') from pgqrs_test.workflow(:'wf1') w;
select is(w.updated_at, :'t1'::timestamptz, 'updated_at is now') from pgqrs_test.workflow(:'wf1') w;
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'wf1', :token1), 'PQ003', null,
    'the previous incarnation''s token: PQ003');
-- TEST: each release counts as a recovery
select is(w.recoveries, 1, 'recoveries 1') from pgqrs_test.workflow(:'wf1') w;
select is(w.recoveries, 1, 'recoveries 1 for the other') from pgqrs_test.workflow(:'wf2') w;
-- TEST: the new incarnation claims them at once (tokens + 2), without counting the recovery twice
create temp table claimed as select * from pgqrs.claim_workflows('worker-a', 10);
select set_eq('select workflow_id, recovered, token from claimed',
              format('values (%L::uuid, false, %s::bigint), (%L::uuid, false, %s::bigint)',
                     :'wf1', :token1 + 2, :'wf2', :token2 + 2),
              'both claimed again, recovered = false (the owner was cleared), with the token after the release''s');
select is(w.recoveries, 1, 'still 1 recovery') from pgqrs_test.workflow(:'wf1') w;

select * from finish();
rollback;
