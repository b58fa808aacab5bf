begin;
select plan(2);

-- Queue of concurrency 1: a workflow's runner died, and another took its slot.
select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-ncx-a', array['wf']) \gset
select pgqrs.set_queue('cq-ncx', '{"concurrency": 1}') \gset
select pgqrs_test.fill_queue('cq-ncx', 1) as dead \gset
select pgqrs_test.claim_ids('wq-ncx-a', 1, 30) \gset
select pgqrs_test.expire_lease((:'dead'::uuid[])[1]) as t1 \gset
select pgqrs_test.fill_queue('cq-ncx', 1) as alive \gset
-- A claim that does not rewrite the heartbeat looks at fresh work first.
select pgqrs.worker_heartbeat('wq-ncx-a') \gset
select pgqrs_test.claim_ids('wq-ncx-a', 1, 600) as claimed \gset
select is(:'claimed'::uuid[], :'alive'::uuid[], 'the new one took the slot');

-- TEST: the expired lease it cannot take over while the queue is full is not reported (the
-- worker would claim in a loop): only the lease of the one that runs
select is(pgqrs.next_claim_at('wq-ncx-a'), :'t1'::timestamptz + interval '600 seconds', 'the live lease''s expiry');

select * from finish();
rollback;
