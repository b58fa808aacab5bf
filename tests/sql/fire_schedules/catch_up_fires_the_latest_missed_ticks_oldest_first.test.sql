begin;
select plan(4);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select * from pgqrs.set_schedule('sched-catch-up', 'report-cu', '*/5 * * * *',
                                 p_options => '{"missed": "catch_up", "catch_up_limit": 3}');
select * from pgqrs.set_schedule('sched-catch-all', 'report-ca', '*/5 * * * *',
                                 p_options => '{"missed": "catch_up"}');
-- No worker claimed for 33 minutes: ticks 10:05, 10:10, ..., 10:35 passed (seven).
select pgqrs_test.set_clock('2030-01-01 10:37:00+00');
select pgqrs._fire_schedules(pgqrs.now(), 10);

-- TEST: catch_up fires at most catch_up_limit missed ticks: the latest ones, each available from
-- its tick, so that workers claim them oldest first
select is(array(select w.input ->> 'scheduled_at' from pgqrs.workflows w
                 where w.name = 'report-cu' order by w.available_at, w.id),
          array['2030-01-01T10:25:00Z', '2030-01-01T10:30:00Z', '2030-01-01T10:35:00Z'],
          'the latest three, oldest first');
-- TEST: with fewer missed ticks than the limit (10 by default), every one of them
select is((select count(*) from pgqrs.workflows w where w.name = 'report-ca'), 7::bigint,
          'all seven');
select is(s.catch_up_limit, 10, 'default limit') from pgqrs.schedules s where s.name = 'sched-catch-all';
-- TEST: then it goes on from now
select is(s.next_run_at, '2030-01-01 10:40:00+00'::timestamptz, 'next 10:40')
  from pgqrs.schedules s where s.name = 'sched-catch-up';

select * from finish();
rollback;
