begin;
select plan(6);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-del-a', array['wf']) \gset
select pgqrs.set_queue('dq-limits', '{"concurrency": 1, "rate_limit": 5, "rate_period_seconds": 60}') \gset
select pgqrs_test.in_queue('dq-limits') as first \gset
select pgqrs_test.in_queue('dq-limits') as second \gset
select is(cardinality(pgqrs_test.claim_ids('wq-del-a')), 1, 'concurrency 1: one runs');

-- TEST: delete_queue returns true and removes the settings, slots and permits
select ok(pgqrs.delete_queue('dq-limits'), 'deleted');
select is((select count(*) from pgqrs.queues where name = 'dq-limits')
          + (select count(*) from pgqrs.queue_slots where queue = 'dq-limits')
          + (select count(*) from pgqrs.queue_permits where queue = 'dq-limits'), 0::bigint,
          'no settings, slots or permits left');
-- TEST: its workflows stay in the queue, now without limits
select is(w.queue, 'dq-limits', 'the waiting workflow is still in its queue')
  from pgqrs_test.workflow(:'second') w;
select is(pgqrs_test.claim_ids('wq-del-a'), array[:'second'::uuid], 'and runs: no limit any more');
-- TEST: a queue without settings: false
select ok(not pgqrs.delete_queue('dq-never-set'), 'false for a queue without settings');

select * from finish();
rollback;
