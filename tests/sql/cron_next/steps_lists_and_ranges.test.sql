begin;
select plan(8);

-- The next tick after a time, in UTC, for step, list and range fields.
create function pg_temp.next(p_cron text, p_after text) returns timestamptz
language sql as $$ select pgqrs._cron_next(p_cron, 'UTC', p_after::timestamptz) $$;

-- TEST: */n counts from the field's start
select is(pg_temp.next('*/15 * * * *', '2030-01-01 10:16+00'), '2030-01-01 10:30+00', '*/15');
select is(pg_temp.next('*/7 * * * *', '2030-01-01 10:57+00'), '2030-01-01 11:00+00',
          '*/7: 56 is the last of an hour, then 0');
-- TEST: a-b/n stays within its range; a/n runs to the field's end
select is(pg_temp.next('10-30/10 * * * *', '2030-01-01 10:31+00'), '2030-01-01 11:10+00', 'a-b/n');
select is(pg_temp.next('50/5 * * * *', '2030-01-01 10:56+00'), '2030-01-01 11:50+00', 'a/n');
-- TEST: lists, ranges and both, in any order, are the union of their items
select is(pg_temp.next('5,1-2,40 * * * *', '2030-01-01 10:02+00'), '2030-01-01 10:05+00', 'a list');
select is(pg_temp.next('0 9-17/4 * * *', '2030-01-01 13:00+00'), '2030-01-01 17:00+00', 'hours 9,13,17');
-- TEST: the tick is strictly after the time given, even when that time is a tick itself
select is(pg_temp.next('*/5 * * * *', '2030-01-01 10:05+00'), '2030-01-01 10:10+00', 'strictly after');
select is(pg_temp.next('*/5 * * * *', '2030-01-01 10:04:59.999+00'), '2030-01-01 10:05+00',
          'seconds do not matter');

select * from finish();
rollback;
