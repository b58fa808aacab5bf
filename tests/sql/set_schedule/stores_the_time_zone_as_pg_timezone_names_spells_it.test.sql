begin;
select plan(2);

-- TEST: a zone name in another case is stored as pg_timezone_names spells it
select is(s.timezone, 'America/New_York', 'canonical name')
  from pgqrs.set_schedule('sched-zone', 'report', '0 9 * * *', 'america/new_york') s;
-- TEST: and asking again in that case changes nothing
select is(s.updated_at, (select s2.created_at from pgqrs.schedules s2 where s2.name = 'sched-zone'),
          'the same schedule')
  from pgqrs.set_schedule('sched-zone', 'report', '0 9 * * *', 'AMERICA/NEW_YORK') s;

select * from finish();
rollback;
