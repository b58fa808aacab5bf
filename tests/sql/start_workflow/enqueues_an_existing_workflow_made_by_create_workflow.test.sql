begin;
select plan(6);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id as wf from pgqrs.create_workflow('wf', '{"n": 1}', p_idempotency_key => 'order-42') \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset
select * from pgqrs.start_workflow('wf', '{"n": 1}', p_idempotency_key => 'order-42') \gset

-- TEST: starting a PENDING workflow that create_workflow made returns it (created = false) ...
select is(:'workflow_id'::uuid, :'wf'::uuid, 'the same workflow');
select ok(not :'created'::boolean, 'created is false');
-- TEST: ... and enqueues it, available from now
select is(w.queued, true, 'queued') from pgqrs_test.workflow(:'wf') w;
select is(w.available_at, :'t1'::timestamptz, 'available now') from pgqrs_test.workflow(:'wf') w;
select is(w.updated_at, :'t1'::timestamptz, 'updated_at is now') from pgqrs_test.workflow(:'wf') w;
select pgqrs_test.worker() \gset
select is(c.workflow_id, :'wf'::uuid, 'a worker claims it') from pgqrs.claim_workflows('worker-a') c;

select * from finish();
rollback;
