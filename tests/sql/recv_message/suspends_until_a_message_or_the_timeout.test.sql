begin;
select plan(14);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id as wf_a, token as token_a from pgqrs_test.running_workflow('runner-a') \gset
select workflow_id as wf_b, token as token_b from pgqrs_test.running_workflow('runner-b') \gset
create temp table suspended_a as
    select * from pgqrs.recv_message(:'wf_a', 'recv', :token_a, 1, 'orders', p_timeout_seconds => 60);
create temp table suspended_b as
    select * from pgqrs.recv_message(:'wf_b', 'recv', :token_b, 1, 'orders');

-- TEST: with nothing queued a receive records the step WAITING with its deadline ...
select is(s.status, 'WAITING', 'WAITING') from pgqrs_test.step(:'wf_a', 'recv') s;
select is(s.timeout_at, :'t0'::timestamptz + interval '60 seconds', 'timeout_at now + timeout')
  from pgqrs_test.step(:'wf_a', 'recv') s;
select is(s.timeout_at, null, 'no timeout: timeout_at NULL') from pgqrs_test.step(:'wf_b', 'recv') s;
-- TEST: ... answers SUSPENDED with the seconds left (NULL without a timeout) ...
select results_eq('select status, message, remaining from suspended_a',
    $$values ('SUSPENDED'::text, null::jsonb, 60::float8)$$, 'SUSPENDED, 60 seconds left');
select results_eq('select status, message, remaining from suspended_b',
    $$values ('SUSPENDED'::text, null::jsonb, null::float8)$$, 'SUSPENDED, no timeout');
-- TEST: ... and gives the lease up: no owner, token + 1, queued, waiting for its topic, available
-- at the deadline (NULL without one: only a message wakes it)
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'wf_a') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'wf_a') w;
select is(w.lease_token, :token_a::bigint + 1, 'token + 1') from pgqrs_test.workflow(:'wf_a') w;
select is(w.status, 'RUNNING', 'RUNNING') from pgqrs_test.workflow(:'wf_a') w;
select is(w.queued, true, 'queued') from pgqrs_test.workflow(:'wf_a') w;
select is(w.waiting_for, 'message:orders', 'waiting_for message:<topic>') from pgqrs_test.workflow(:'wf_a') w;
select is(w.available_at, :'t0'::timestamptz + interval '60 seconds', 'available at the deadline')
  from pgqrs_test.workflow(:'wf_a') w;
select is(w.available_at, null, 'no timeout: available_at NULL') from pgqrs_test.workflow(:'wf_b') w;
-- TEST: describe_workflow shows what it waits for
select is(d.waiting_for, 'message:orders', 'describe_workflow.waiting_for') from pgqrs.describe_workflow(:'wf_b') d;

select * from finish();
rollback;
