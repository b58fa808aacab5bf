begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-resk-a', array['wf']) \gset
select pgqrs.set_queue('cq-resk', '{"key_concurrency": 1}') \gset
select pgqrs_test.fill_queue('cq-resk', 1, '{"concurrency_key": "k"}') as ids \gset
select pgqrs_test.claim_ids('wq-resk-a', 10) \gset
select pgqrs.fail_workflow((:'ids'::uuid[])[1], pgqrs_test.token((:'ids'::uuid[])[1]), '"no"') \gset
-- A claim finds the key without work and drops it.
select pgqrs_test.claim_ids('wq-resk-a', 10) \gset

-- TEST: a keyed workflow resumed after it failed is claimed again, under its key's limit
select pgqrs.resume_workflow((:'ids'::uuid[])[1]) \gset
select is(pgqrs_test.claim_ids('wq-resk-a', 10), :'ids'::uuid[], 'claimed again');
select is(pgqrs_test.running_in('cq-resk'), 1::bigint, 'running');

select * from finish();
rollback;
