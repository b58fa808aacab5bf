begin;
select plan(3);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select * from pgqrs.set_schedule('sched-skip', 'report-sk', '*/5 * * * *');
-- No worker claimed for 33 minutes: ticks 10:05, 10:10, ..., 10:35 passed.
select pgqrs_test.set_clock('2030-01-01 10:37:00+00');

-- TEST: with missed = skip (the default) only the latest missed tick fires ...
select is(pgqrs._fire_schedules(pgqrs.now(), 10), 1, 'one workflow');
select is(array(select w.input ->> 'scheduled_at' from pgqrs.workflows w where w.name = 'report-sk'),
          array['2030-01-01T10:35:00Z'], 'the latest tick');
-- TEST: ... and the schedule goes on from now
select is(row(s.last_run_at, s.next_run_at)::text,
          row('2030-01-01 10:35:00+00'::timestamptz, '2030-01-01 10:40:00+00'::timestamptz)::text,
          'last 10:35, next 10:40')
  from pgqrs.schedules s where s.name = 'sched-skip';

select * from finish();
rollback;
