begin;
select plan(10);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow('wf', '{"n": 1}') as wf \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-a', 1, 45);

-- TEST: a claimed workflow is RUNNING under a lease owned by the worker, with token 1 ...
select is(c.workflow_id, :'wf'::uuid, 'the workflow') from claimed c;
select is(c.name, 'wf', 'its name') from claimed c;
select is(c.token, 1::bigint, 'token 1') from claimed c;
select is(c.recovered, false, 'not a recovery') from claimed c;
select is(w.status, 'RUNNING', 'RUNNING') from pgqrs_test.workflow(:'wf') w;
select is(w.lease_owner, 'worker-a', 'the worker owns the lease') from pgqrs_test.workflow(:'wf') w;
select is(w.lease_token, 1::bigint, 'token 1 stored') from pgqrs_test.workflow(:'wf') w;
-- TEST: ... for p_lease_seconds, which also becomes its lease length
select is(w.lease_expires_at, :'t0'::timestamptz + interval '45 seconds', 'expires in 45 s')
  from pgqrs_test.workflow(:'wf') w;
select is(w.lease_timeout, interval '45 seconds', 'lease length 45 s') from pgqrs_test.workflow(:'wf') w;
select is(w.started_at, :'t0'::timestamptz, 'started_at is now') from pgqrs_test.workflow(:'wf') w;

select * from finish();
rollback;
