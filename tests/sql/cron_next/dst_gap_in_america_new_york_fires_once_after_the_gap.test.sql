begin;
select plan(4);

-- America/New_York, 2024-03-10: at 07:00 UTC the clock jumps from 02:00 (EST, -5) to 03:00
-- (EDT, -4); local times 02:00-02:59 do not exist.
create function pg_temp.next(p_cron text, p_after text) returns timestamptz
language sql as $$ select pgqrs._cron_next(p_cron, 'America/New_York', p_after::timestamptz) $$;

-- TEST: a tick in the gap fires at the first instant after it (03:00 EDT)
select is(pg_temp.next('30 2 * * *', '2024-03-09 12:00+00'), '2024-03-10 07:00+00',
          '02:30 fires at 03:00 EDT');
select is(pg_temp.next('30 2 * * *', '2024-03-10 07:00+00'), '2024-03-11 06:30+00',
          'and the next day at 02:30 EDT');
-- TEST: hourly: 02:00 (missing) and 03:00 are one tick
select is(pg_temp.next('0 * * * *', '2024-03-10 06:30+00'), '2024-03-10 07:00+00', '03:00 EDT');
select is(pg_temp.next('0 * * * *', '2024-03-10 07:00+00'), '2024-03-10 08:00+00', '04:00 EDT');

select * from finish();
rollback;
