begin;
select plan(4);

select pgqrs_test.new_workflow() as wf \gset

-- TEST: an unknown workflow raises PQ001, a NULL id and limits outside 1..10000 PQ008
select throws_ok($$select * from pgqrs.workflow_tree(gen_random_uuid())$$, 'PQ001', null, 'unknown id');
select throws_ok($$select * from pgqrs.workflow_tree(null)$$, 'PQ008', null, 'NULL id');
select throws_ok(format($$select * from pgqrs.workflow_tree(%L, 0)$$, :'wf'), 'PQ008', null, 'limit 0');
select throws_ok(format($$select * from pgqrs.workflow_tree(%L, 10001)$$, :'wf'), 'PQ008', null, 'limit 10001');

select * from finish();
rollback;
