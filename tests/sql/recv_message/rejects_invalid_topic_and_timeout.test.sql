begin;
select plan(6);

select * from pgqrs_test.running_workflow('runner-a') \gset

-- TEST: a NULL, blank or over-255-character topic raises PQ008
select throws_ok(format($$select * from pgqrs.recv_message(%L, 'recv', %s, 1, null)$$, :'workflow_id', :token),
    'PQ008', null, 'NULL topic: PQ008');
select throws_ok(format($$select * from pgqrs.recv_message(%L, 'recv', %s, 1, '')$$, :'workflow_id', :token),
    'PQ008', null, 'empty topic: PQ008');
select throws_ok(format($$select * from pgqrs.recv_message(%L, 'recv', %s, 1, %L)$$, :'workflow_id', :token, repeat('t', 256)),
    'PQ008', null, '256 characters: PQ008');
-- TEST: so does a negative or NaN timeout
select throws_ok(format($$select * from pgqrs.recv_message(%L, 'recv', %s, 1, 'orders', -1)$$, :'workflow_id', :token),
    'PQ008', null, 'negative timeout: PQ008');
select throws_ok(format($$select * from pgqrs.recv_message(%L, 'recv', %s, 1, 'orders', 'NaN')$$, :'workflow_id', :token),
    'PQ008', null, 'NaN timeout: PQ008');
-- TEST: and nothing is recorded
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');

select * from finish();
rollback;
