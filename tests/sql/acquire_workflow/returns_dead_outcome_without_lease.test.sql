begin;
select plan(7);

select pgqrs_test.dead_workflow('{"order": 7}') as wf \gset
select lease_token as dead_token from pgqrs_test.workflow(:'wf') \gset
select pgqrs_test.advance_clock('1 hour') \gset
create temp table acquired as select * from pgqrs.acquire_workflow(:'wf', 'runner-b');

-- TEST: a DEAD workflow is treated as final: acquire returns DEAD with the stored error ...
select is(a.status, 'DEAD', 'status is DEAD') from acquired a;
select is(a.error ->> 'type', 'pgqrs.CrashLoop', 'the crash-loop error') from acquired a;
select is(a.input, '{"order": 7}'::jsonb, 'the input') from acquired a;
-- TEST: ... and grants no lease
select is(a.lease_expires_at, null, 'no expiry') from acquired a;
select is(a.token, :dead_token::bigint, 'the current token (moved on when it became DEAD)') from acquired a;
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'wf') w;
select is(w.status, 'DEAD', 'still DEAD') from pgqrs_test.workflow(:'wf') w;

select * from finish();
rollback;
