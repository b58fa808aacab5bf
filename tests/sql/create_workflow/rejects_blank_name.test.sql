begin;
select plan(1);

-- TEST: a name of spaces only is an invalid argument
select throws_ok($$select pgqrs.create_workflow('   ')$$, 'PQ008', null, 'blank name: PQ008');

select * from finish();
rollback;
