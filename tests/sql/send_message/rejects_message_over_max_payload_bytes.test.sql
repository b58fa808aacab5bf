begin;
select plan(3);

select pgqrs_test.new_workflow() as workflow_id \gset
select set_config('pgqrs.max_payload_bytes', '100', true) \gset

-- TEST: a message larger than pgqrs.max_payload_bytes raises PQ007 and nothing is stored
select throws_ok(
    format('select * from pgqrs.send_message(%L, %L, %L)', :'workflow_id', 'orders',
           jsonb_build_object('data', repeat('x', 200))),
    'PQ007', null, 'message over the limit: PQ007');
select is((select count(*) from pgqrs.messages where workflow_id = :'workflow_id'), 0::bigint,
    'no message was stored');
-- TEST: a message within the limit is sent
select is(s.created, true, 'within the limit: sent')
  from pgqrs.send_message(:'workflow_id', 'orders', jsonb_build_object('data', repeat('x', 20))) s;

select * from finish();
rollback;
