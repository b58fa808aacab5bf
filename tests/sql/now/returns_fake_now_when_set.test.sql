begin;
select plan(2);

select set_config('pgqrs.fake_now', '2031-02-03 04:05:06+00', true) \gset

-- TEST: pgqrs.now() returns the setting pgqrs.fake_now, and stays there
select is(pgqrs.now(), '2031-02-03 04:05:06+00'::timestamptz, 'returns the fake time');
select pg_sleep(0.01) \gset
select is(pgqrs.now(), '2031-02-03 04:05:06+00'::timestamptz, 'time does not move by itself');

select * from finish();
rollback;
