begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-list-a', array['wf']) \gset
select pgqrs.set_queue('lq-limited', '{"concurrency": 2, "rate_limit": 3, "rate_period_seconds": 60, "key_concurrency": 1}') \gset
select pgqrs_test.in_queue('lq-limited', '{"concurrency_key": "t1"}') \gset
select pgqrs_test.in_queue('lq-limited', '{"concurrency_key": "t1"}') \gset
select pgqrs_test.in_queue('lq-limited', '{"concurrency_key": "t2"}') \gset
select pgqrs_test.in_queue('lq-limited') \gset
select pgqrs_test.in_queue('lq-plain', p_name => 'wf-other') \gset
select pgqrs.set_queue('lq-settings-only', '{"paused": true}') \gset
-- Two start (concurrency 2): two permits used.
select is(cardinality(pgqrs_test.claim_ids('wq-list-a')), 2, 'two start');

-- TEST: one row per queue with settings or queued work: its settings, queued (not held by a
-- runner), running (live lease), free permits and keys
select results_eq(
    $$select name, concurrency, worker_concurrency, rate_limit, rate_period_seconds,
             key_concurrency, paused, queued, running, permits_free, keys
        from pgqrs.list_queues() where name like 'lq-%'$$,
    $$values ('lq-limited', 2, null::integer, 3, 60::float8, 1, false, 2::bigint, 2::bigint, 1, 2::bigint),
             ('lq-plain', null, null, null, null, null, false, 1, 0, null, 0),
             ('lq-settings-only', null, null, null, null, null, true, 0, 0, null, 0)$$,
    'settings and counts');
-- TEST: a minute later every permit is free again; a lease that expired is not running
select pgqrs_test.advance_clock('61 seconds') \gset
select results_eq(
    $$select running, permits_free from pgqrs.list_queues() where name = 'lq-limited'$$,
    $$values (0::bigint, 3)$$,
    'permits free, no live lease');

select * from finish();
rollback;
