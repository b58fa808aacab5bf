begin;
select plan(6);

-- Europe/Paris, 2024-03-31: at 01:00 UTC the clock jumps from 02:00 (CET, +1) to 03:00 (CEST,
-- +2); local times 02:00-02:59 do not exist.
create function pg_temp.next(p_cron text, p_after text) returns timestamptz
language sql as $$ select pgqrs._cron_next(p_cron, 'Europe/Paris', p_after::timestamptz) $$;

-- TEST: a tick in the gap fires at the first instant after it (03:00 CEST), not an hour later
select is(pg_temp.next('30 2 * * *', '2024-03-30 12:00+00'), '2024-03-31 01:00+00',
          '02:30 fires at 03:00 CEST');
select is(pg_temp.next('30 2 * * *', '2024-03-31 01:00+00'), '2024-04-01 00:30+00',
          'and the next day at 02:30 CEST');
-- TEST: the ticks of the gap and 03:00 collapse onto one instant, which fires once
select is(pg_temp.next('*/15 * * * *', '2024-03-31 00:40+00'), '2024-03-31 00:45+00', '01:45 CET');
select is(pg_temp.next('*/15 * * * *', '2024-03-31 00:45+00'), '2024-03-31 01:00+00',
          '02:00 to 03:00: one tick');
select is(pg_temp.next('*/15 * * * *', '2024-03-31 01:00+00'), '2024-03-31 01:15+00', '03:15 CEST');
-- TEST: a daily time outside the gap keeps its wall-clock time across the change
select is(pg_temp.next('0 12 * * *', '2024-03-30 11:00+00'), '2024-03-31 10:00+00',
          'noon CEST is 10:00 UTC');

select * from finish();
rollback;
