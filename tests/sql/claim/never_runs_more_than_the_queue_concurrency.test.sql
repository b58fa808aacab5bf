begin;
select plan(6);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-conc-a', array['wf']) \gset
select pgqrs_test.worker('wq-conc-b', array['wf']) \gset
select pgqrs.set_queue('cq-conc', '{"concurrency": 2}') \gset
select pgqrs_test.fill_queue('cq-conc', 5) as ids \gset

-- TEST: a claim for more than the limit gets the limit
select is(cardinality(pgqrs_test.claim_ids('wq-conc-a', 10)), 2, 'two of five');
-- TEST: no worker gets more while two run
select is(cardinality(pgqrs_test.claim_ids('wq-conc-b', 10)), 0, 'another worker: none');
select is(cardinality(pgqrs_test.claim_ids('wq-conc-a', 10)), 0, 'the same worker: none');
-- TEST: a run that ends lets exactly one more start
select pgqrs_test.complete(id) from pgqrs.workflows
 where queue = 'cq-conc' and status = 'RUNNING' order by id limit 1 \gset
select is(cardinality(pgqrs_test.claim_ids('wq-conc-b', 10)), 1, 'one more');
select is(pgqrs_test.running_in('cq-conc'), 2::bigint, 'two run');
-- TEST: the default queue, without limits, is not held back by it
select count(pgqrs_test.queued_workflow()) from generate_series(1, 3) \gset
select is(cardinality(pgqrs_test.claim_ids('wq-conc-b', 10)), 3, 'the default queue has no limit');

select * from finish();
rollback;
