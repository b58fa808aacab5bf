begin;
select plan(2);

-- TEST: without the setting, pgqrs.now() is the real clock (clock_timestamp, not the
-- transaction start)
select pg_sleep(0.01) \gset
select ok(pgqrs.now() > now() + interval '5 milliseconds', 'unset: the real clock');
select set_config('pgqrs.fake_now', '', true) \gset
select ok(pgqrs.now() > now() + interval '5 milliseconds', 'empty: the real clock');

select * from finish();
rollback;
