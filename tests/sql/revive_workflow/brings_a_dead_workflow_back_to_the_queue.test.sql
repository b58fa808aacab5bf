begin;
select plan(10);

select pgqrs_test.dead_workflow() as wf \gset
select lease_token as dead_token from pgqrs_test.workflow(:'wf') \gset
select pgqrs_test.advance_clock('1 hour') as t1 \gset
select pgqrs.revive_workflow(:'wf') \gset

-- TEST: revive_workflow makes a DEAD workflow RUNNING with no lease ...
select is(w.status, 'RUNNING', 'RUNNING') from pgqrs_test.workflow(:'wf') w;
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'wf') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'wf') w;
select is(w.lease_token, :dead_token::bigint, 'the token is unchanged') from pgqrs_test.workflow(:'wf') w;
-- TEST: ... with a fresh recovery budget and the crash-loop error cleared ...
select is(w.recoveries, 0, 'recoveries 0') from pgqrs_test.workflow(:'wf') w;
select is(w.error, null, 'error cleared') from pgqrs_test.workflow(:'wf') w;
select is(w.max_recoveries, 0, 'max_recoveries unchanged') from pgqrs_test.workflow(:'wf') w;
-- TEST: ... queued and available now
select is(w.queued, true, 'queued') from pgqrs_test.workflow(:'wf') w;
select is(w.available_at, :'t1'::timestamptz, 'available now') from pgqrs_test.workflow(:'wf') w;
select is(w.updated_at, :'t1'::timestamptz, 'updated_at is now') from pgqrs_test.workflow(:'wf') w;

select * from finish();
rollback;
