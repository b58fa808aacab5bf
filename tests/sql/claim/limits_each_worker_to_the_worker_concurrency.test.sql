begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-wc-a', array['wf']) \gset
select pgqrs_test.worker('wq-wc-b', array['wf']) \gset
select pgqrs.set_queue('cq-wc', '{"worker_concurrency": 2}') \gset
select pgqrs_test.fill_queue('cq-wc', 6) as ids \gset

-- TEST: each worker runs at most worker_concurrency of the queue's workflows
select is(cardinality(pgqrs_test.claim_ids('wq-wc-a', 10)), 2, 'worker a: two');
select is(cardinality(pgqrs_test.claim_ids('wq-wc-a', 10)), 0, 'worker a again: none');
select is(cardinality(pgqrs_test.claim_ids('wq-wc-b', 10)), 2, 'worker b: two of its own');
-- TEST: a run of the worker that ends gives it room for one more
select pgqrs_test.complete(id) from pgqrs.workflows
 where queue = 'cq-wc' and lease_owner = 'wq-wc-a' order by id limit 1 \gset
select is(cardinality(pgqrs_test.claim_ids('wq-wc-a', 10)), 1, 'worker a: one more');
select * from finish();
rollback;
