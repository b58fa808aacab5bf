begin;
select plan(1);

-- TEST: a NULL worker name raises PQ008, not PQ009
select throws_ok('select pgqrs.worker_heartbeat(null)', 'PQ008', null, 'NULL worker: PQ008');

select * from finish();
rollback;
