begin;
select plan(9);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_name => 'wf-send-wake') \gset
select status from pgqrs.recv_message(:'workflow_id', 'wait', :token, 1, 'orders') \gset
select workflow_id as other_id, token as other_token
  from pgqrs_test.running_workflow('runner-b') \gset
select status from pgqrs.recv_message(:'other_id', 'wait', :other_token, 1, 'orders') \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset

-- TEST: a receiver suspended without a timeout is not claimable
select is(w.available_at, null, 'available_at NULL') from pgqrs_test.workflow(:'workflow_id') w;
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'not claimed');
-- TEST: a message on another topic does not wake it
select message_id from pgqrs.send_message(:'workflow_id', 'refunds', '1') \gset
select is(w.available_at, null, 'still not available') from pgqrs_test.workflow(:'workflow_id') w;
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'still not claimed');
-- TEST: a message on its topic makes it available now, and only it: another workflow receiving
-- on the same topic is not woken
select pgqrs_test.advance_clock('1 minute') as t2 \gset
select message_id from pgqrs.send_message(:'workflow_id', 'orders', '2') \gset
select is(w.available_at, :'t2'::timestamptz, 'available now') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.updated_at, :'t2'::timestamptz, 'updated now') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.available_at, null, 'the other receiver stays asleep') from pgqrs_test.workflow(:'other_id') w;
-- TEST: a worker claims it then, and its receive gets the message
select token as token2 from pgqrs.claim_workflows('worker-a') \gset
select is(:token2::bigint, :token::bigint + 2, 'claimed with token + 2');
select results_eq(
    format($$select status, message from pgqrs.recv_message(%L, 'wait', %s, 1, 'orders')$$, :'workflow_id', :token2),
    $$values ('RECEIVED'::text, '2'::jsonb)$$, 'the replayed receive gets the message');

select * from finish();
rollback;
