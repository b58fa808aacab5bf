begin;
select plan(5);
select pgqrs_test.prune_lock();

-- A workflow that runs for months and receives messages: one consumed on 2030-01-01, one
-- consumed yesterday, one sent long ago and not consumed yet.
select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
select workflow_id, token from pgqrs_test.running_workflow() \gset
select message_id as old_consumed from pgqrs.send_message(:'workflow_id', 'a', '1', 'key-1') \gset
select message_id as old_pending from pgqrs.send_message(:'workflow_id', 'b', '2') \gset
select status from pgqrs.recv_message(:'workflow_id', 'recv-a', :token, 1, 'a') \gset
select pgqrs_test.set_clock('2030-02-28 00:00:00+00') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select message_id as new_consumed from pgqrs.send_message(:'workflow_id', 'a', '3') \gset
select status from pgqrs.recv_message(:'workflow_id', 'recv-a-2', :token, 2, 'a') \gset
select pgqrs_test.set_clock('2030-03-01 00:00:00+00') \gset

-- TEST: the message consumed before the window goes; the workflow keeps running
select results_eq('select workflows, messages from pgqrs.prune(interval ''30 days'')',
    $$values (0::bigint, 1::bigint)$$, 'one message');
select results_eq(format('select id from pgqrs.messages where workflow_id = %L order by id', :'workflow_id'),
    format('values (%s::bigint), (%s::bigint)', :old_pending, :new_consumed),
    'the unconsumed one and the one consumed within the window stay');
-- TEST: the receive step still returns the message it consumed
select is(r.message, '1'::jsonb, 'the recv step replays its message')
  from pgqrs.recv_message(:'workflow_id', 'recv-a', :token, 1, 'a') r;
-- TEST: the pruned message's idempotency key is free again: sending it again queues it anew
select is(s.created, true, 'key-1 queues a new message')
  from pgqrs.send_message(:'workflow_id', 'a', '1', 'key-1') s;
-- TEST: the unconsumed one is still received
select is(r.message, '2'::jsonb, 'the old pending message is received')
  from pgqrs.recv_message(:'workflow_id', 'recv-b', :token, 3, 'b') r;

select * from finish();
rollback;
