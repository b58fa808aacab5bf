begin;
select plan(4);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.new_workflow() as workflow_id \gset
create temp table sent as select * from pgqrs.send_message(:'workflow_id', 'orders', '{"n": 1}');

-- TEST: send_message queues the message for the workflow under its topic and returns its id
select is(s.created, true, 'created') from sent s;
select results_eq(
    format('select workflow_id, topic, message, idempotency_key, sent_at, consumed_by, consumed_at from pgqrs.messages where id = %s',
           (select message_id from sent)),
    format($$values (%L::uuid, 'orders'::text, '{"n": 1}'::jsonb, null::text, %L::timestamptz, null::text, null::timestamptz)$$,
           :'workflow_id', :'t0'),
    'the message row: unconsumed, sent now');
-- TEST: a PENDING workflow (not started yet) and a NULL message are accepted
select is((select count(*) from pgqrs.messages where workflow_id = :'workflow_id'), 1::bigint, 'one message');
select is(s.created, true, 'a JSON null message is sent')
  from pgqrs.send_message(:'workflow_id', 'orders', null) s;

select * from finish();
rollback;
