begin;
select plan(6);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: a NULL, blank or over-255-character topic raises PQ008
select throws_ok(format($$select * from pgqrs.send_message(%L, null, '1')$$, :'workflow_id'),
    'PQ008', null, 'NULL topic: PQ008');
select throws_ok(format($$select * from pgqrs.send_message(%L, '  ', '1')$$, :'workflow_id'),
    'PQ008', null, 'blank topic: PQ008');
select throws_ok(format($$select * from pgqrs.send_message(%L, %L, '1')$$, :'workflow_id', repeat('t', 256)),
    'PQ008', null, '256 characters: PQ008');
-- TEST: so does a blank or over-255-character idempotency key
select throws_ok(format($$select * from pgqrs.send_message(%L, 'orders', '1', '')$$, :'workflow_id'),
    'PQ008', null, 'blank key: PQ008');
select throws_ok(format($$select * from pgqrs.send_message(%L, 'orders', '1', %L)$$, :'workflow_id', repeat('k', 256)),
    'PQ008', null, '256-character key: PQ008');
-- TEST: and nothing is stored
select is((select count(*) from pgqrs.messages where workflow_id = :'workflow_id'), 0::bigint, 'no message');

select * from finish();
rollback;
