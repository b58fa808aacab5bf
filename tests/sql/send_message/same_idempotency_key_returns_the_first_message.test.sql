begin;
select plan(7);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_name => 'wf-send-idem') \gset
select status from pgqrs.recv_message(:'workflow_id', 'wait', :token, 1, 'orders') \gset
select message_id as first_id from pgqrs.send_message(:'workflow_id', 'orders', '{"n": 1}', 'order-1') \gset
select pgqrs_test.advance_clock('1 minute') \gset

-- TEST: sending again with the same idempotency key returns the first message, created false
select results_eq(
    format($$select message_id, created from pgqrs.send_message(%L, 'orders', '{"n": 1}', 'order-1')$$, :'workflow_id'),
    format($$values (%s::bigint, false)$$, :first_id), 'the first id, created false');
-- TEST: and queues nothing and wakes nobody (a wake-up would make the receiver available now)
select is((select count(*) from pgqrs.messages where workflow_id = :'workflow_id'), 1::bigint, 'still one message');
select is(w.available_at, :'t0'::timestamptz, 'available_at is still the first send''s time')
  from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: so the receiver gets the message once
select token as token2 from pgqrs.claim_workflows('worker-a') \gset
select results_eq(
    format($$select status, message from pgqrs.recv_message(%L, 'wait', %s, 1, 'orders')$$, :'workflow_id', :token2),
    $$values ('RECEIVED'::text, '{"n": 1}'::jsonb)$$, 'received');
-- TEST: the same key after the message was consumed still returns it and queues nothing
select results_eq(
    format($$select message_id, created from pgqrs.send_message(%L, 'orders', '{"n": 1}', 'order-1')$$, :'workflow_id'),
    format($$values (%s::bigint, false)$$, :first_id), 'after it was consumed: the first id, created false');
select is((select count(*) from pgqrs.messages where workflow_id = :'workflow_id' and consumed_by is null),
    0::bigint, 'nothing new is queued');
-- TEST: another workflow may use the same key
select is(s.created, true, 'keys are per workflow')
  from pgqrs.send_message(pgqrs_test.new_workflow(), 'orders', '{"n": 1}', 'order-1') s;

select * from finish();
rollback;
