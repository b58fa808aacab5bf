begin;
select plan(1);

-- TEST: a NULL workflow id raises PQ008, not PQ001
select throws_ok('select pgqrs.list_step_attempts(null)', 'PQ008', null, 'NULL id: PQ008');

select * from finish();
rollback;
