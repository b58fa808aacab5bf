begin;
select plan(6);

-- Europe/Paris, 2024-10-27: at 01:00 UTC the clock goes back from 03:00 (CEST, +2) to 02:00
-- (CET, +1); local times 02:00-02:59 occur twice: 00:00-00:59 UTC, then 01:00-01:59 UTC.
create function pg_temp.next(p_cron text, p_after text) returns timestamptz
language sql as $$ select pgqrs._cron_next(p_cron, 'Europe/Paris', p_after::timestamptz) $$;

-- TEST: a repeated local time fires once, at its first occurrence (CEST)
select is(pg_temp.next('30 2 * * *', '2024-10-26 12:00+00'), '2024-10-27 00:30+00',
          '02:30 CEST, not 02:30 CET');
select is(pg_temp.next('30 2 * * *', '2024-10-27 00:30+00'), '2024-10-28 01:30+00',
          'then 02:30 CET the next day');
-- TEST: the second pass of the repeated hour fires nothing
select is(pg_temp.next('*/30 * * * *', '2024-10-26 23:45+00'), '2024-10-27 00:00+00', '02:00 CEST');
select is(pg_temp.next('*/30 * * * *', '2024-10-27 00:00+00'), '2024-10-27 00:30+00', '02:30 CEST');
select is(pg_temp.next('*/30 * * * *', '2024-10-27 00:30+00'), '2024-10-27 02:00+00',
          '03:00 CET: 02:00 and 02:30 CET were fired at their first occurrence');
-- TEST: asked from inside the second pass, the next tick is the first after it
select is(pg_temp.next('*/30 * * * *', '2024-10-27 01:10+00'), '2024-10-27 02:00+00',
          'from 02:10 CET: 03:00 CET');

select * from finish();
rollback;
