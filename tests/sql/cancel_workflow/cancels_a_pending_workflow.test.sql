begin;
select plan(6);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.new_workflow() as wf \gset

-- TEST: cancel_workflow makes a PENDING workflow CANCELLED and returns true
select is(pgqrs.cancel_workflow(:'wf'), true, 'returns true');
select is(w.status, 'CANCELLED', 'CANCELLED') from pgqrs_test.workflow(:'wf') w;
-- TEST: without a reason, the error says "cancelled"
select is(w.error, '{"type": "pgqrs.Cancelled", "message": "cancelled", "traceback": null}'::jsonb,
    'error pgqrs.Cancelled') from pgqrs_test.workflow(:'wf') w;
select is(w.finished_at, :'t0'::timestamptz, 'finished now') from pgqrs_test.workflow(:'wf') w;
select is(w.lease_token, 1::bigint, 'the token moved on') from pgqrs_test.workflow(:'wf') w;
-- TEST: it can no longer be acquired: acquire_workflow returns the outcome
select results_eq(format('select status, error ->> %L from pgqrs.acquire_workflow(%L, %L)', 'type', :'wf', 'runner-a'),
    $$values ('CANCELLED', 'pgqrs.Cancelled')$$, 'acquire returns CANCELLED');

select * from finish();
rollback;
