begin;
select plan(6);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-bulk-a', array['wf-bulk']) \gset

-- TEST: one row per item, in item order: a new PENDING workflow each, created
select results_eq(
    $$select item, created, status from pgqrs.start_workflows('wf-bulk',
          (select jsonb_agg(jsonb_build_object('n', g) order by g) from generate_series(1, 500) g),
          null, '{"queue": "sw-order", "priority": 3, "concurrency_key": "t1"}')$$,
    $$select g, true, 'PENDING'::text from generate_series(1, 500) g$$,
    'items 1..500, created, PENDING');
-- TEST: each workflow has its item's input and the options given
select is(count(*), 500::bigint, 'inputs, queue, priority, key, queued, available now')
  from pgqrs.workflows w
 where w.name = 'wf-bulk' and w.queue = 'sw-order' and w.priority = 3
   and w.concurrency_key = 't1' and w.queued and w.available_at = :'t0'
   and w.idempotency_key is null and w.max_recoveries = 5;
select is(count(distinct w.input), 500::bigint, 'each its own input') from pgqrs.workflows w
 where w.name = 'wf-bulk';
-- TEST: the queue and its key are registered for claims
select ok(exists (select from pgqrs.queue_names where name = 'wf-bulk' and queue = 'sw-order')
          and exists (select from pgqrs.queue_keys where queue = 'sw-order' and key = 't1'),
          'queue_names and queue_keys rows');
-- TEST: FIFO: items enqueued together (one available_at) are claimed in item order
select is(
    (select array_agg((w.input ->> 'n')::integer order by u.n)
       from unnest(pgqrs_test.claim_ids('wq-bulk-a', 1000)) with ordinality u (id, n)
       join pgqrs.workflows w on w.id = u.id),
    (select array_agg(g order by g) from generate_series(1, 500) g),
    'claimed in item order');
-- TEST: an empty array enqueues nothing
select is((select count(*) from pgqrs.start_workflows('wf-bulk', '[]')), 0::bigint, 'no rows');

select * from finish();
rollback;
