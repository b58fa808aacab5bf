begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-ncw-a', array['wf']) \gset
select pgqrs_test.worker('wq-ncw-b', array['wf']) \gset
select pgqrs.set_queue('cq-ncw', '{"worker_concurrency": 1}') \gset
select pgqrs_test.fill_queue('cq-ncw', 2) \gset
select pgqrs_test.claim_ids('wq-ncw-a', 10, 600) \gset

-- TEST: a worker at its worker_concurrency is not told about the queue's work
select is(pgqrs.next_claim_at('wq-ncw-a'), :'t0'::timestamptz + interval '600 seconds', 'only its lease expiry');
-- TEST: another worker is
select is(pgqrs.next_claim_at('wq-ncw-b'), :'t0'::timestamptz, 'now');

select * from finish();
rollback;
