begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-raise-a', array['wf']) \gset
select pgqrs.set_queue('cq-raise', '{"concurrency": 2}') \gset
select pgqrs_test.fill_queue('cq-raise', 10) \gset
select is(cardinality(pgqrs_test.claim_ids('wq-raise-a', 10)), 2, 'two run');

-- TEST: raised to 5 while 2 run: 3 more start at the next claim
select pgqrs.set_queue('cq-raise', '{"concurrency": 5}') \gset
select is(cardinality(pgqrs_test.claim_ids('wq-raise-a', 10)), 3, 'three more');
-- TEST: the limit removed: the rest start
select pgqrs.set_queue('cq-raise', '{"concurrency": null}') \gset
select is(cardinality(pgqrs_test.claim_ids('wq-raise-a', 10)), 5, 'the five others');

select * from finish();
rollback;
