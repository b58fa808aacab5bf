begin;
select plan(5);

select pgqrs_test.dead_workflow() as wf \gset
select lease_token as dead_token from pgqrs_test.workflow(:'wf') \gset
select pgqrs.resume_workflow(:'wf') \gset

-- TEST: a DEAD workflow resumes: RUNNING, queued, token + 1, crash-loop error and recoveries reset
select is(w.status, 'RUNNING', 'RUNNING') from pgqrs_test.workflow(:'wf') w;
select is(w.queued, true, 'queued') from pgqrs_test.workflow(:'wf') w;
select is(w.lease_token, :dead_token::bigint + 1, 'token + 1') from pgqrs_test.workflow(:'wf') w;
select is(w.error, null, 'error cleared') from pgqrs_test.workflow(:'wf') w;
select is(w.recoveries, 0, 'recoveries 0') from pgqrs_test.workflow(:'wf') w;

select * from finish();
rollback;
