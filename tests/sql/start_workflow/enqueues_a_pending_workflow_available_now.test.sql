begin;
select plan(9);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs.start_workflow('wf', '{"n": 1}') \gset

-- TEST: start_workflow stores a new PENDING workflow ...
select ok(:'created'::boolean, 'created is true');
select is(:'status'::text, 'PENDING', 'status is PENDING');
select is(w.name, 'wf', 'name') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.input, '{"n": 1}'::jsonb, 'input') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, 0::bigint, 'never leased') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... queued for workers and available at once (pgqrs.now())
select is(w.queued, true, 'queued') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.available_at, :'t0'::timestamptz, 'available_at is now') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.created_at, :'t0'::timestamptz, 'created_at is now') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.recoveries, 0, 'no recoveries') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
