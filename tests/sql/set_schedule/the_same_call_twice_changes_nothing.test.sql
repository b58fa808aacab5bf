begin;
select plan(3);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select * from pgqrs.set_schedule('sched-twice', 'report', '0 * * * *', 'Europe/Paris', '{"a": 1}',
                                 '{"queue": "reports", "missed": "catch_up"}');
select s::text as before from pgqrs.schedules s where s.name = 'sched-twice' \gset

-- TEST: the same call later (a second worker starting, an hour on) changes nothing: not the
-- next tick, not updated_at
select pgqrs_test.set_clock('2030-01-01 11:30:00+00');
select * from pgqrs.set_schedule('sched-twice', 'report', '0 * * * *', 'Europe/Paris', '{"a": 1}',
                                 '{"queue": "reports", "missed": "catch_up"}');
select is(s::text, :'before', 'unchanged') from pgqrs.schedules s where s.name = 'sched-twice';
-- TEST: in particular a tick that is due stays due (it is fired by the next claim)
select is(s.next_run_at, '2030-01-01 11:00:00+00'::timestamptz, 'the due tick is kept')
  from pgqrs.schedules s where s.name = 'sched-twice';
-- TEST: one row
select is((select count(*) from pgqrs.schedules s where s.name = 'sched-twice'), 1::bigint, 'one row');

select * from finish();
rollback;
