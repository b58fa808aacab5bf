begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-kc-a', array['wf']) \gset
select pgqrs_test.worker('wq-kc-b', array['wf']) \gset
select pgqrs.set_queue('cq-kc', '{"key_concurrency": 2}') \gset
select pgqrs_test.fill_queue('cq-kc', 5, '{"concurrency_key": "a"}') as a_ids \gset
select pgqrs_test.fill_queue('cq-kc', 1, '{"concurrency_key": "b"}') as b_ids \gset
select pgqrs_test.fill_queue('cq-kc', 2) as unkeyed \gset

-- TEST: at most key_concurrency run per key; work without a key is not limited by it
select is(cardinality(pgqrs_test.claim_ids('wq-kc-a', 10)), 5, 'a: 2, b: 1, no key: 2');
select is((select count(*) from pgqrs.workflows where concurrency_key = 'a' and status = 'RUNNING'),
          2::bigint, 'two of key a');
select is(cardinality(pgqrs_test.claim_ids('wq-kc-b', 10)), 0, 'another worker: none');
-- TEST: a run of key a that ends lets one more of a start
select pgqrs_test.complete(id) from pgqrs.workflows
 where concurrency_key = 'a' and status = 'RUNNING' order by id limit 1 \gset
select is(cardinality(pgqrs_test.claim_ids('wq-kc-b', 10)), 1, 'one more');
select is((select count(*) from pgqrs.workflows where concurrency_key = 'a' and status = 'RUNNING'),
          2::bigint, 'two of key a');

select * from finish();
rollback;
