begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-wait-a', array['wf']) \gset
select pgqrs_test.worker('wq-wait-b', array['wf']) \gset
select pgqrs.set_queue('cq-wait', '{"concurrency": 1}') \gset
select pgqrs.set_queue('cq-wait-free', '{"concurrency": 100}') \gset
select pgqrs_test.fill_queue('cq-wait', 3) \gset
select pgqrs_test.fill_queue('cq-wait-free', 1) \gset

-- TEST: a claim that got less than it asked for because a queue was full registers its worker
-- as waiting for that queue (a slot freed there then sends NOTIFY pgqrs_work), and for no
-- other: cq-wait-free had room
select is(cardinality(pgqrs_test.claim_ids('wq-wait-a', 5)), 2, 'one of each queue');
select set_eq($$select queue, worker from pgqrs.queue_waiters$$,
              $$values ('cq-wait', 'wq-wait-a')$$, 'waits for cq-wait');
-- TEST: a claim that got all it asked for waits for nothing
select pgqrs_test.complete(id) from pgqrs.workflows
 where queue = 'cq-wait' and status = 'RUNNING' \gset
select is(cardinality(pgqrs_test.claim_ids('wq-wait-a', 1)), 1, 'the next one');
select is_empty($$select from pgqrs.queue_waiters where worker = 'wq-wait-a'$$, 'waits no more');
-- TEST: another worker's claim that finds the queue full registers that worker only
select pgqrs_test.claim_ids('wq-wait-b', 5) \gset
select set_eq($$select queue, worker from pgqrs.queue_waiters$$,
              $$values ('cq-wait', 'wq-wait-b')$$, 'b waits');

select * from finish();
rollback;
