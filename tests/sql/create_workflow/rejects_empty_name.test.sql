begin;
select plan(2);

-- TEST: an empty or missing workflow name is an invalid argument
select throws_ok($$select pgqrs.create_workflow('')$$, 'PQ008', null, 'empty name: PQ008');
select throws_ok($$select pgqrs.create_workflow(null)$$, 'PQ008', null, 'null name: PQ008');

select * from finish();
rollback;
