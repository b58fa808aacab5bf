begin;
select plan(5);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select pgqrs_test.worker('worker-sr', array['report-sr']) \gset
select * from pgqrs.set_schedule('sched-resume', 'report-sr', '*/5 * * * *',
                                 p_options => '{"missed": "catch_up", "catch_up_limit": 100}');
select pgqrs.pause_schedule('sched-resume');
select pgqrs_test.set_clock('2030-01-01 11:02:00+00');

-- TEST: resuming returns true and moves the next tick to the first after now ...
select is(pgqrs.resume_schedule('sched-resume'), true, 'resumed');
select is(s.next_run_at, '2030-01-01 11:05:00+00'::timestamptz, 'next tick after now')
  from pgqrs.schedules s where s.name = 'sched-resume';
-- TEST: ... so the ticks that passed while it was paused never fire, even with catch_up
select pgqrs_test.set_clock('2030-01-01 11:06:00+00');
select is(array(select w.input ->> 'scheduled_at' from pgqrs.claim('worker-sr', gen_random_uuid(), 10) w),
          array['2030-01-01T11:05:00Z'], 'only the tick after the resume');
-- TEST: resuming a running schedule changes nothing
select is(pgqrs.resume_schedule('sched-resume'), true, 'resumed again');
select is(s.next_run_at, '2030-01-01 11:10:00+00'::timestamptz, 'unchanged')
  from pgqrs.schedules s where s.name = 'sched-resume';

select * from finish();
rollback;
