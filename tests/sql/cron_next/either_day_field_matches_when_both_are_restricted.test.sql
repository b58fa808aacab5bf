begin;
select plan(6);

create function pg_temp.next(p_cron text, p_after text) returns timestamptz
language sql as $$ select pgqrs._cron_next(p_cron, 'UTC', p_after::timestamptz) $$;

-- 2030-01-04 is a Friday; 2030-01-07 a Monday.
-- TEST: both day fields restricted: a day matches when either does (the 13th, or a Monday)
select is(pg_temp.next('0 0 13 * MON', '2030-01-04 00:00+00'), '2030-01-07 00:00+00',
          '13 MON: Monday the 7th');
select is(pg_temp.next('0 0 13 * MON', '2030-01-07 00:00+00'), '2030-01-13 00:00+00',
          '13 MON: then Sunday the 13th');
-- TEST: a day-of-week field of * leaves the day-of-month field alone
select is(pg_temp.next('0 0 13 * *', '2030-01-04 00:00+00'), '2030-01-13 00:00+00', '13 *');
-- TEST: a day-of-month field of * leaves the day-of-week field alone
select is(pg_temp.next('0 0 * * MON', '2030-01-07 00:00+00'), '2030-01-14 00:00+00', '* MON');
-- TEST: a field that starts with * is not restricted (as in cron(8)): */2 MON is odd-dated
-- Mondays (the 7th, then the 21st), not odd days or Mondays
select is(pg_temp.next('0 0 */2 * MON', '2030-01-04 00:00+00'), '2030-01-07 00:00+00',
          '*/2 MON: the 7th');
select is(pg_temp.next('0 0 */2 * MON', '2030-01-07 00:00+00'), '2030-01-21 00:00+00',
          '*/2 MON: then the 21st');

select * from finish();
rollback;
