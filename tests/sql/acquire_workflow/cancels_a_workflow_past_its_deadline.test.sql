begin;
select plan(9);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id from pgqrs.submit_workflow('wf', '{"n": 1}', '{"queue": false, "timeout_seconds": 60}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 600) \gset
select pgqrs_test.advance_clock('60 seconds') as t1 \gset
-- runner-a still holds a live lease; another owner acquires.
create temp table acquired as select * from pgqrs.acquire_workflow(:'workflow_id', 'runner-b');

-- TEST: past its deadline, acquire_workflow records the workflow as CANCELLED (despite a live
-- lease) with a pgqrs.DeadlineExceeded error ...
select is(w.status, 'CANCELLED', 'CANCELLED') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.error ->> 'type', 'pgqrs.DeadlineExceeded', 'pgqrs.DeadlineExceeded') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.finished_at, :'t1'::timestamptz, 'finished now') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... and returns it as final: no lease, the error
select is(a.status, 'CANCELLED', 'returns CANCELLED') from acquired a;
select is(a.error ->> 'type', 'pgqrs.DeadlineExceeded', 'with the error') from acquired a;
select is(a.lease_expires_at, null, 'no lease') from acquired a;
select is(a.token, :token::bigint + 1, 'the current token (moved on by the cancel)') from acquired a;
-- TEST: the holder is fenced out
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ011', null,
    'the holder: PQ011');

select * from finish();
rollback;
