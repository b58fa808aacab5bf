begin;
select plan(6);

select pgqrs_test.set_clock() as t0 \gset

-- TEST: a new queue gets the settings given, the others left without a limit
select results_eq(
    $$select name, concurrency, worker_concurrency, rate_limit, rate_period_seconds,
             key_concurrency, paused, updated_at
        from pgqrs.set_queue('sq-settings', '{"concurrency": 4, "rate_limit": 100,
                                              "rate_period_seconds": 60}')$$,
    $$values ('sq-settings', 4, null::integer, 100, 60::float8, null::integer, false,
              '2030-01-01 00:00:00+00'::timestamptz)$$,
    'the new queue');
-- TEST: a key that is absent leaves its setting as it is
select pgqrs_test.advance_clock('1 minute') \gset
select results_eq(
    $$select concurrency, worker_concurrency, rate_limit, rate_period_seconds, key_concurrency,
             paused, updated_at
        from pgqrs.set_queue('sq-settings', '{"worker_concurrency": 2, "key_concurrency": 1,
                                              "paused": true}')$$,
    $$values (4, 2, 100, 60::float8, 1, true, '2030-01-01 00:01:00+00'::timestamptz)$$,
    'only the keys given change');
-- TEST: a key set to null removes the limit (paused null: not paused)
select results_eq(
    $$select concurrency, worker_concurrency, rate_limit, rate_period_seconds, key_concurrency,
             paused
        from pgqrs.set_queue('sq-settings', '{"concurrency": null, "rate_limit": null,
                                              "rate_period_seconds": null, "paused": null}')$$,
    $$values (null::integer, 2, null::integer, null::float8, 1, false)$$,
    'nulls remove limits');
-- TEST: the table holds what set_queue returned; slots and permits follow the limits
select results_eq(
    $$select concurrency, worker_concurrency, rate_limit, rate_period, key_concurrency, paused
        from pgqrs.queues where name = 'sq-settings'$$,
    $$values (null::integer, 2, null::integer, null::interval, 1, false)$$,
    'the stored row');
select is((select count(*) from pgqrs.queue_slots where queue = 'sq-settings')
          + (select count(*) from pgqrs.queue_permits where queue = 'sq-settings'), 0::bigint,
          'no slot or permit rows once the limits are removed');
-- TEST: no settings at all (an empty object, or none) create a queue without limits
select results_eq(
    $$select name, concurrency, paused from pgqrs.set_queue('sq-settings-2')$$,
    $$values ('sq-settings-2', null::integer, false)$$,
    'defaults');

select * from finish();
rollback;
