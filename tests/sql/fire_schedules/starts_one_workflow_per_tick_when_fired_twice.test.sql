begin;
select plan(5);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select * from pgqrs.set_schedule('sched-twice-fired', 'report-ft', '*/5 * * * *');
select pgqrs_test.set_clock('2030-01-01 10:05:00+00');

-- TEST: the due tick starts one workflow, with the tick's idempotency key
select is(pgqrs._fire_schedules(pgqrs.now(), 10), 1, 'one started');
select is(array(select w.idempotency_key from pgqrs.workflows w where w.name = 'report-ft'),
          array['schedule:sched-twice-fired:2030-01-01T10:05:00Z'], 'keyed by the tick');
-- TEST: firing again at the same time starts nothing: the tick is no longer due
select is(pgqrs._fire_schedules(pgqrs.now(), 10), 0, 'nothing due');
-- TEST: even a firing of the same tick again (its next_run_at moved back, as if the first
-- firing had not advanced it) starts no second workflow: the key names the tick's one
update pgqrs.schedules set next_run_at = '2030-01-01 10:05:00+00' where name = 'sched-twice-fired';
select pgqrs._fire_schedules(pgqrs.now(), 10);
select is((select count(*) from pgqrs.workflows w where w.name = 'report-ft'), 1::bigint,
          'still one workflow');
select is(s.next_run_at, '2030-01-01 10:10:00+00'::timestamptz, 'and the schedule moved on')
  from pgqrs.schedules s where s.name = 'sched-twice-fired';

select * from finish();
rollback;
