begin;
select plan(4);

-- America/New_York, 2024-11-03: at 06:00 UTC the clock goes back from 02:00 (EDT, -4) to 01:00
-- (EST, -5); local times 01:00-01:59 occur twice: 05:00-05:59 UTC, then 06:00-06:59 UTC.
create function pg_temp.next(p_cron text, p_after text) returns timestamptz
language sql as $$ select pgqrs._cron_next(p_cron, 'America/New_York', p_after::timestamptz) $$;

-- TEST: a repeated local time fires once, at its first occurrence (EDT)
select is(pg_temp.next('30 1 * * *', '2024-11-02 12:00+00'), '2024-11-03 05:30+00',
          '01:30 EDT, not 01:30 EST');
select is(pg_temp.next('30 1 * * *', '2024-11-03 05:30+00'), '2024-11-04 06:30+00',
          'then 01:30 EST the next day');
-- TEST: hourly: 01:00 fires once (EDT), the next tick is 02:00 EST
select is(pg_temp.next('0 * * * *', '2024-11-03 04:30+00'), '2024-11-03 05:00+00', '01:00 EDT');
select is(pg_temp.next('0 * * * *', '2024-11-03 05:00+00'), '2024-11-03 07:00+00',
          '02:00 EST: 01:00 EST was fired at its first occurrence');

select * from finish();
rollback;
