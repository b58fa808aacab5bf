begin;
select plan(2);

-- TEST: no such schedule: false
select is(pgqrs.pause_schedule('sched-nowhere'), false, 'unknown');
-- TEST: a NULL name: PQ008
select throws_ok($$select pgqrs.pause_schedule(null)$$, 'PQ008', null, 'NULL');

select * from finish();
rollback;
