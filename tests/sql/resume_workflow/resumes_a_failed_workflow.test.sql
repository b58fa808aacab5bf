begin;
select plan(13);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '"boom"') \gset
select pgqrs_test.advance_clock('1 hour') as t1 \gset
select pgqrs.resume_workflow(:'workflow_id') \gset

-- TEST: resume_workflow makes a FAILED workflow RUNNING with no lease and the next token ...
select is(w.status, 'RUNNING', 'RUNNING') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint + 1, 'token + 1') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... its outcome cleared ...
select is(w.error, null, 'error cleared') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.output, null, 'no output') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.finished_at, null, 'not finished') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.attempt, 1, 'attempt 1') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.recoveries, 0, 'recoveries 0') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... queued and available now
select is(w.queued, true, 'queued') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.available_at, :'t1'::timestamptz, 'available now') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.updated_at, :'t1'::timestamptz, 'updated now') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: the token of the failed run stays fenced out
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ003', null,
    'the old token: PQ003');

select * from finish();
rollback;
