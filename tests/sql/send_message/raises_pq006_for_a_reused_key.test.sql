begin;
select plan(4);

select pgqrs_test.new_workflow() as workflow_id \gset
select message_id from pgqrs.send_message(:'workflow_id', 'orders', '{"n": 1}', 'order-1') \gset

-- TEST: the same idempotency key with another message raises PQ006
select throws_ok(format($$select * from pgqrs.send_message(%L, 'orders', '{"n": 2}', 'order-1')$$, :'workflow_id'),
    'PQ006', null, 'another message: PQ006');
select throws_ok(format($$select * from pgqrs.send_message(%L, 'orders', null, 'order-1')$$, :'workflow_id'),
    'PQ006', null, 'a NULL message: PQ006');
-- TEST: and with another topic
select throws_ok(format($$select * from pgqrs.send_message(%L, 'refunds', '{"n": 1}', 'order-1')$$, :'workflow_id'),
    'PQ006', null, 'another topic: PQ006');
-- TEST: and queues nothing
select is((select count(*) from pgqrs.messages where workflow_id = :'workflow_id'), 1::bigint, 'one message');

select * from finish();
rollback;
