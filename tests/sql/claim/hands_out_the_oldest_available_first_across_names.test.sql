begin;
select plan(5);

-- A worker serving two names; in order of availability: a0 (made last, due earliest), b1, a1, b2.
select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf-a', 'wf-b']) \gset
select pgqrs_test.queued_workflow('wf-b', '{"n": "b1"}') as b1 \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.queued_workflow('wf-a', '{"n": "a1"}') as a1 \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.queued_workflow('wf-b', '{"n": "b2"}') as b2 \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.queued_workflow('wf-a', '{"n": "a0"}', :'t0'::timestamptz - interval '10 seconds') as a0 \gset
select pgqrs_test.advance_clock('1 second') \gset

-- TEST: one workflow per claim: the oldest available one of any name the worker serves, each time
select is(c.workflow_id, :'a0'::uuid, 'a0') from pgqrs.claim('worker-a', gen_random_uuid()) c;
select is(c.workflow_id, :'b1'::uuid, 'b1') from pgqrs.claim('worker-a', gen_random_uuid()) c;
select is(c.workflow_id, :'a1'::uuid, 'a1') from pgqrs.claim('worker-a', gen_random_uuid()) c;
select is(c.workflow_id, :'b2'::uuid, 'b2') from pgqrs.claim('worker-a', gen_random_uuid()) c;
select is_empty($$select * from pgqrs.claim('worker-a', gen_random_uuid())$$, 'then none');

select * from finish();
rollback;
