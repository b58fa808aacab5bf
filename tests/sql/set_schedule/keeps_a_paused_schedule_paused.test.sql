begin;
select plan(3);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select * from pgqrs.set_schedule('sched-paused', 'report', '0 * * * *');
select pgqrs.pause_schedule('sched-paused');

-- TEST: set_schedule without the paused option leaves a paused schedule paused (a worker that
-- starts does not undo an operator's pause)
select is(s.paused, true, 'still paused') from pgqrs.set_schedule('sched-paused', 'report', '0 * * * *') s;
-- TEST: paused false resumes it from the first tick after now
select pgqrs_test.set_clock('2030-01-01 13:30:00+00');
select is(row(s.paused, s.next_run_at)::text,
          row(false, '2030-01-01 14:00:00+00'::timestamptz)::text,
          'resumed from the next tick after now')
  from pgqrs.set_schedule('sched-paused', 'report', '0 * * * *', p_options => '{"paused": false}') s;
-- TEST: paused true creates a schedule paused
select is(s.paused, true, 'created paused')
  from pgqrs.set_schedule('sched-paused-2', 'report', '0 * * * *', p_options => '{"paused": true}') s;

select * from finish();
rollback;
