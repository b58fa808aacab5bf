begin;
select plan(1);

-- TEST: a NULL worker name raises PQ008, not PQ009
select throws_ok('select pgqrs.stop_worker(null)', 'PQ008', null, 'NULL worker: PQ008');

select * from finish();
rollback;
