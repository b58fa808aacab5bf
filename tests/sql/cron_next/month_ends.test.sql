begin;
select plan(6);

create function pg_temp.next(p_cron text, p_after text) returns timestamptz
language sql as $$ select pgqrs._cron_next(p_cron, 'UTC', p_after::timestamptz) $$;

-- TEST: day 31 skips the months that have no 31st (April, June, and February)
select is(pg_temp.next('0 0 31 * *', '2030-03-31 00:00+00'), '2030-05-31 00:00+00', 'Mar 31 -> May 31');
select is(pg_temp.next('0 0 31 * *', '2030-01-31 00:00+00'), '2030-03-31 00:00+00', 'Jan 31 -> Mar 31');
select is(pg_temp.next('0 0 31 * *', '2030-07-31 00:00+00'), '2030-08-31 00:00+00', 'Jul 31 -> Aug 31');
-- TEST: day 30 skips February only
select is(pg_temp.next('0 0 30 * *', '2030-01-30 00:00+00'), '2030-03-30 00:00+00', 'Jan 30 -> Mar 30');
-- TEST: the year turns over
select is(pg_temp.next('59 23 31 12 *', '2030-12-31 23:59+00'), '2031-12-31 23:59+00', 'Dec 31');
select is(pg_temp.next('0 0 1 * *', '2030-12-15 00:00+00'), '2031-01-01 00:00+00', 'Jan 1st');

select * from finish();
rollback;
