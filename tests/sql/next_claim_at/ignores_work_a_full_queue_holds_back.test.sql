begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-ncf-a', array['wf']) \gset
select pgqrs.set_queue('cq-ncf', '{"concurrency": 1}') \gset
select pgqrs_test.fill_queue('cq-ncf', 2) as ids \gset
select pgqrs_test.claim_ids('wq-ncf-a', 10, 600) \gset

-- TEST: queued work of a full queue is not reported (the slot freed sends NOTIFY pgqrs_work)
select is(pgqrs.next_claim_at('wq-ncf-a'), :'t0'::timestamptz + interval '600 seconds',
          'only the lease expiry of the running one');
-- TEST: once the slot is free, it is reported
select pgqrs_test.complete((:'ids'::uuid[])[1]) \gset
select is(pgqrs.next_claim_at('wq-ncf-a'), :'t0'::timestamptz, 'the waiting one, now');
-- TEST: a slot held by a workflow whose lease expired is free
select pgqrs_test.claim_ids('wq-ncf-a', 10, 600) \gset
select pgqrs_test.fill_queue('cq-ncf', 1) \gset
select pgqrs_test.expire_lease((:'ids'::uuid[])[2]) as t1 \gset
select ok(pgqrs.next_claim_at('wq-ncf-a') <= :'t1'::timestamptz, 'reported again');

select * from finish();
rollback;
