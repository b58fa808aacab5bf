begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-nck-a', array['wf']) \gset
select pgqrs.set_queue('cq-nck', '{"key_concurrency": 1}') \gset
select pgqrs_test.fill_queue('cq-nck', 2, '{"concurrency_key": "k"}') \gset
select pgqrs_test.claim_ids('wq-nck-a', 10, 600) \gset

-- TEST: the work of a key at its limit is not reported
select is(pgqrs.next_claim_at('wq-nck-a'), :'t0'::timestamptz + interval '600 seconds', 'only the lease expiry');
-- TEST: another key's is
select pgqrs_test.advance_clock('1 second') as t1 \gset
select pgqrs_test.fill_queue('cq-nck', 1, '{"concurrency_key": "j"}') \gset
select is(pgqrs.next_claim_at('wq-nck-a'), :'t1'::timestamptz, 'key j: now');

select * from finish();
rollback;
