begin;
select plan(4);

select pgqrs_test.new_workflow() as wf \gset

-- TEST: an unknown workflow raises PQ001, a NULL id and limits outside 1..10000 PQ008
select throws_ok($$select * from pgqrs.list_messages(gen_random_uuid())$$, 'PQ001', null, 'unknown id');
select throws_ok($$select * from pgqrs.list_messages(null)$$, 'PQ008', null, 'NULL id');
select throws_ok(format($$select * from pgqrs.list_messages(%L, null)$$, :'wf'), 'PQ008', null, 'limit NULL');
select is_empty(format($$select * from pgqrs.list_messages(%L)$$, :'wf'), 'no messages: no rows');

select * from finish();
rollback;
