begin;
select plan(3);

select pgqrs_test.new_workflow() as wf \gset

-- TEST: a NULL id and limits outside 1..10000 raise PQ008
select throws_ok($$select * from pgqrs.list_events(null)$$, 'PQ008', null, 'NULL id');
select throws_ok(format($$select * from pgqrs.list_events(%L, 0)$$, :'wf'), 'PQ008', null, 'limit 0');
select is_empty(format($$select * from pgqrs.list_events(%L)$$, :'wf'), 'no events: no rows');

select * from finish();
rollback;
