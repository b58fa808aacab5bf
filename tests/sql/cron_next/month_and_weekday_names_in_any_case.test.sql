begin;
select plan(5);

create function pg_temp.next(p_cron text, p_after text) returns timestamptz
language sql as $$ select pgqrs._cron_next(p_cron, 'UTC', p_after::timestamptz) $$;

-- 2030-01-04 is a Friday.
-- TEST: weekday names, and ranges of them, in any case
select is(pg_temp.next('0 9 * * MON-FRI', '2030-01-04 10:00+00'), '2030-01-07 09:00+00',
          'MON-FRI: Friday after nine -> Monday');
select is(pg_temp.next('0 9 * * sat,Sun', '2030-01-04 10:00+00'), '2030-01-05 09:00+00',
          'sat,Sun');
-- TEST: month names, and ranges of them, in any case
select is(pg_temp.next('0 0 1 jun *', '2030-01-04 10:00+00'), '2030-06-01 00:00+00', 'jun');
select is(pg_temp.next('0 0 1 Oct-Dec *', '2030-12-04 10:00+00'), '2031-10-01 00:00+00',
          'Oct-Dec: after December 1st comes next October');
-- TEST: names mean the numbers they stand for
select is(pg_temp.next('0 0 * FEB TUE', '2030-01-04 10:00+00'),
          pg_temp.next('0 0 * 2 2', '2030-01-04 10:00+00'), 'FEB TUE = 2 2');

select * from finish();
rollback;
