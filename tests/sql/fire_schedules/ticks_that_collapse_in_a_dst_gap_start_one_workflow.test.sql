begin;
select plan(1);

-- Europe/Paris, 2024-03-31: at 01:00 UTC the clock jumps from 02:00 to 03:00. Every 15 minutes,
-- local 02:00, 02:15, 02:30, 02:45 (missing) and 03:00 all fire at 01:00 UTC.
select pgqrs_test.set_clock('2024-03-31 00:32:00+00');
select * from pgqrs.set_schedule('sched-gap', 'report-gap', '*/15 * * * *', 'Europe/Paris',
                                 p_options => '{"missed": "catch_up", "catch_up_limit": 100}');
select pgqrs_test.set_clock('2024-03-31 01:20:00+00');
select pgqrs._fire_schedules(pgqrs.now(), 10);

-- TEST: caught up across the gap, one workflow per instant: 01:45 CET, the gap with 03:00, 03:15
select is(array(select w.input ->> 'scheduled_at' from pgqrs.workflows w
                 where w.name = 'report-gap' order by w.available_at, w.id),
          array['2024-03-31T00:45:00Z', '2024-03-31T01:00:00Z', '2024-03-31T01:15:00Z'],
          'three workflows');

select * from finish();
rollback;
