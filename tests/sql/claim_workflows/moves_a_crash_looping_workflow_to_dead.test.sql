begin;
select plan(12);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_max_recoveries => 1) \gset
-- First crash: recovered once, within the budget.
select pgqrs_test.expire_lease(:'workflow_id') \gset
select token as token2, recovered from pgqrs.claim_workflows('worker-a') \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token2, 'reserve') \gset
-- Second crash: recoveries would become 2 > max_recoveries 1.
select pgqrs_test.expire_lease(:'workflow_id') as t2 \gset

-- TEST: the first takeover is within the budget
select ok(:'recovered'::boolean, 'the first takeover was a recovery');
-- TEST: when recoveries would exceed max_recoveries the workflow is not handed out ...
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'not returned');
-- TEST: ... it is DEAD, with a pgqrs.CrashLoop error and the recovery counted, and its lease ends:
-- no owner, no expiry, and the token moves on so the holder declared dead is fenced out
select is(w.status, 'DEAD', 'DEAD') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.recoveries, 2, 'recoveries 2') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.error ->> 'type', 'pgqrs.CrashLoop', 'error type pgqrs.CrashLoop') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.error ->> 'message', 'its runner died 2 times (max_recoveries is 1)', 'error message')
  from pgqrs_test.workflow(:'workflow_id') w;
select ok(w.error ? 'traceback' and w.error -> 'traceback' = 'null'::jsonb, 'traceback null')
  from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token2::bigint + 1, 'the token moved on (fencing out the dead holder)')
  from pgqrs_test.workflow(:'workflow_id') w;
select is(w.updated_at, :'t2'::timestamptz, 'updated_at is now') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: its finished steps are kept
select is((pgqrs_test.step(:'workflow_id', 'reserve')).status, 'SUCCESS', 'the step is kept');

select * from finish();
rollback;
