begin;
select plan(10);

select pgqrs_test.set_clock() \gset
select workflow_id as wf1, token as token1 from pgqrs_test.claimed_workflow('worker-a') \gset
select workflow_id as wf2, token as token2 from pgqrs_test.claimed_workflow('worker-a') \gset
select workflow_id as theirs from pgqrs_test.claimed_workflow('worker-b') \gset
select pgqrs.stop_worker('worker-a') as released \gset

-- TEST: stop_worker releases every lease the worker still holds and returns how many; each
-- token moves on, so anything of this worker still running is fenced out at once
select is(:released::integer, 2, 'two leases released');
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'wf1') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'wf1') w;
select is(w.status, 'RUNNING', 'still RUNNING') from pgqrs_test.workflow(:'wf1') w;
select is(w.lease_token, :token1::bigint + 1, 'the token moved on') from pgqrs_test.workflow(:'wf1') w;
select throws_ok(format('select pgqrs.complete_step(%L, %L, %s, %L)', :'wf1', 'late', :token1, '1'),
    'PQ003', null, 'the stopped worker''s token: PQ003');
select is(w.lease_owner, 'worker-b', 'another worker keeps its lease') from pgqrs_test.workflow(:'theirs') w;
-- TEST: a graceful stop is not a recovery
select is(w.recoveries, 0, 'recoveries 0') from pgqrs_test.workflow(:'wf1') w;
-- TEST: another worker resumes the work at once (tokens + 2), not as a recovery
create temp table claimed as select * from pgqrs.claim_workflows('worker-b', 10);
select set_eq('select workflow_id, recovered, token from claimed',
              format('values (%L::uuid, false, %s::bigint), (%L::uuid, false, %s::bigint)',
                     :'wf1', :token1 + 2, :'wf2', :token2 + 2),
              'worker-b claims both at once, recovered = false, with the token after the release''s');
select is(w.recoveries, 0, 'still no recovery') from pgqrs_test.workflow(:'wf1') w;

select * from finish();
rollback;
