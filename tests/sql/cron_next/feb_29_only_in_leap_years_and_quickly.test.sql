begin;
select plan(4);

create function pg_temp.next(p_cron text, p_after text) returns timestamptz
language sql as $$ select pgqrs._cron_next(p_cron, 'UTC', p_after::timestamptz) $$;

-- TEST: Feb 29 fires in leap years only
select is(pg_temp.next('0 0 29 2 *', '2025-01-01 00:00+00'), '2028-02-29 00:00+00', '2028');
select is(pg_temp.next('0 0 29 2 *', '2028-02-29 00:00+00'), '2032-02-29 00:00+00', 'then 2032');
-- TEST: 2100 is not a leap year (divisible by 100, not by 400)
select is(pg_temp.next('0 0 29 2 *', '2096-03-01 00:00+00'), '2104-02-29 00:00+00',
          '2096 -> 2104');
-- TEST: a schedule that fires once in years resolves quickly: it walks months and days, not
-- minutes (100 Feb 29 ticks, 400 years, take milliseconds; the bound is loose for busy machines)
create temporary table ticks as
    with recursive t (n, at) as (
        select 0, '2000-01-01 00:00+00'::timestamptz
        union all
        select n + 1, pgqrs._cron_next('0 0 29 2 *', 'UTC', at) from t where n < 100)
    select at from t where n > 0;
select ok(pg_catalog.clock_timestamp() - pg_catalog.statement_timestamp() < interval '2 seconds'
          and (select bool_and(to_char(at at time zone 'UTC', 'MM-DD') = '02-29'
                               and extract(year from at at time zone 'UTC')::int % 100 <> 0
                                   or extract(year from at at time zone 'UTC')::int % 400 = 0)
                 from ticks),
          '100 leap days (2100, 2200, 2300 skipped) in under two seconds');

select * from finish();
rollback;
