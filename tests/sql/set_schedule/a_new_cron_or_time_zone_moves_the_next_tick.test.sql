begin;
select plan(5);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select * from pgqrs.set_schedule('sched-change', 'report', '0 * * * *');
select pgqrs_test.set_clock('2030-01-01 11:30:00+00');  -- the 11:00 tick is due

-- TEST: a new input or new options keep the next tick (the due one stays due) ...
select * from pgqrs.set_schedule('sched-change', 'report', '0 * * * *', p_input => '{"v": 2}',
                                 p_options => '{"priority": 3}');
select is(s.next_run_at, '2030-01-01 11:00:00+00'::timestamptz, 'new input: next tick kept')
  from pgqrs.schedules s where s.name = 'sched-change';
select is(row(s.input, s.options)::text, row('{"v": 2}'::jsonb, '{"priority": 3}'::jsonb)::text,
          'new input and options stored')
  from pgqrs.schedules s where s.name = 'sched-change';
-- TEST: ... a new cron expression moves it to the first tick of the new one after now
select is(s.next_run_at, '2030-01-01 11:45:00+00'::timestamptz, 'new cron')
  from pgqrs.set_schedule('sched-change', 'report', '*/15 * * * *', p_input => '{"v": 2}') s;
select is(s.next_run_at, '2030-01-01 12:00:00+00'::timestamptz, 'noon UTC')
  from pgqrs.set_schedule('sched-change', 'report', '0 12 * * *', 'UTC', '{"v": 2}') s;
-- TEST: ... and so does a new time zone (ticks are local: noon in Paris is 11:00 UTC, past)
select is(s.next_run_at, '2030-01-02 11:00:00+00'::timestamptz, 'noon in Paris, tomorrow')
  from pgqrs.set_schedule('sched-change', 'report', '0 12 * * *', 'Europe/Paris', '{"v": 2}') s;

select * from finish();
rollback;
