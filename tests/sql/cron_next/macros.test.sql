begin;
select plan(7);

create function pg_temp.next(p_cron text, p_after text) returns timestamptz
language sql as $$ select pgqrs._cron_next(p_cron, 'UTC', p_after::timestamptz) $$;

-- 2030-01-04 is a Friday.
-- TEST: each macro stands for its five fields
select is(pg_temp.next('@yearly', '2030-01-04 10:00+00'), '2031-01-01 00:00+00', '@yearly');
select is(pg_temp.next('@annually', '2030-01-04 10:00+00'), '2031-01-01 00:00+00', '@annually');
select is(pg_temp.next('@monthly', '2030-01-04 10:00+00'), '2030-02-01 00:00+00', '@monthly');
select is(pg_temp.next('@weekly', '2030-01-04 10:00+00'), '2030-01-06 00:00+00', '@weekly: Sunday');
select is(pg_temp.next('@daily', '2030-01-04 10:00+00'), '2030-01-05 00:00+00', '@daily');
select is(pg_temp.next('@midnight', '2030-01-04 10:00+00'), '2030-01-05 00:00+00', '@midnight');
select is(pg_temp.next('@HOURLY', '2030-01-04 10:00+00'), '2030-01-04 11:00+00', '@HOURLY');

select * from finish();
rollback;
