begin;
select plan(4);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select * from pgqrs.set_schedule('sched-delete', 'report-sd', '*/5 * * * *');
select pgqrs_test.set_clock('2030-01-01 10:05:00+00');
select pgqrs._fire_schedules(pgqrs.now(), 10);

-- TEST: delete returns true, then false: there is nothing left to delete
select is(pgqrs.delete_schedule('sched-delete'), true, 'deleted');
select is(pgqrs.delete_schedule('sched-delete'), false, 'gone');
-- TEST: the workflow it started stays
select is((select count(*) from pgqrs.workflows w where w.name = 'report-sd'), 1::bigint, 'kept');
-- TEST: a NULL name: PQ008
select throws_ok($$select pgqrs.delete_schedule(null)$$, 'PQ008', null, 'NULL');

select * from finish();
rollback;
