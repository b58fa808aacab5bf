begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-rec-a', array['wf']) \gset
select pgqrs_test.worker('wq-rec-b', array['wf']) \gset
select pgqrs.set_queue('cq-rec-key', '{"key_concurrency": 1}') \gset
select pgqrs.set_queue('cq-rec-worker', '{"worker_concurrency": 2}') \gset
-- Key k: one runs under worker a, two wait. Queue cq-rec-worker: worker a runs two, two wait.
select pgqrs_test.fill_queue('cq-rec-key', 3, '{"concurrency_key": "k"}') as keyed \gset
select pgqrs_test.fill_queue('cq-rec-worker', 4) as per_worker \gset
select is(cardinality(pgqrs_test.claim_ids('wq-rec-a', 10)), 3, 'one of key k, two of cq-rec-worker');
-- Worker a dies: its leases expire.
select pgqrs_test.advance_clock('31 seconds') \gset
create temp table claimed as select * from pgqrs.claim('wq-rec-b', gen_random_uuid(), 10);

-- TEST: worker b, claiming, stays within the key's limit, the recovered workflow included
select is((select count(*) from pgqrs.workflows where queue = 'cq-rec-key' and status = 'RUNNING'
              and lease_owner = 'wq-rec-b'), 1::bigint, 'one of key k runs');
-- TEST: and within its own worker_concurrency, the recovered workflows included
select is((select count(*) from pgqrs.workflows where queue = 'cq-rec-worker' and status = 'RUNNING'
              and lease_owner = 'wq-rec-b'), 2::bigint, 'worker b runs two of cq-rec-worker');
select is((select count(*) from claimed), 3::bigint, 'three handed out in all');
-- TEST: no live lease anywhere is over a limit
select is(pgqrs_test.running_in('cq-rec-key'), 1::bigint, 'key k: one live lease');

select * from finish();
rollback;
