begin;
select plan(4);

create function pg_temp.next(p_cron text, p_after text) returns timestamptz
language sql as $$ select pgqrs._cron_next(p_cron, 'UTC', p_after::timestamptz) $$;

-- 2030-01-04 is a Friday; 2030-01-06 a Sunday.
-- TEST: day-of-week 0 and 7 are both Sunday
select is(pg_temp.next('0 12 * * 0', '2030-01-04 00:00+00'), '2030-01-06 12:00+00', '0');
select is(pg_temp.next('0 12 * * 7', '2030-01-04 00:00+00'), '2030-01-06 12:00+00', '7');
-- TEST: a range up to 7 ends on Sunday
select is(pg_temp.next('0 12 * * 6-7', '2030-01-05 13:00+00'), '2030-01-06 12:00+00',
          '6-7: Saturday after noon -> Sunday');
select is(pg_temp.next('0 12 * * 6-7', '2030-01-06 13:00+00'), '2030-01-12 12:00+00',
          '6-7: Sunday after noon -> next Saturday');

select * from finish();
rollback;
