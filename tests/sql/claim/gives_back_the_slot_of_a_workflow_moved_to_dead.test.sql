begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-dead-a', array['wf']) \gset
select pgqrs.set_queue('cq-dead', '{"concurrency": 1}') \gset
select pgqrs_test.in_queue('cq-dead', '{"max_recoveries": 0}') as doomed \gset
select pgqrs_test.claim_ids('wq-dead-a', 1) \gset
select pgqrs_test.expire_lease(:'doomed') \gset
select pgqrs_test.fill_queue('cq-dead', 1) as next \gset

-- TEST: a crash-looping workflow moved to DEAD by a claim gives its slot back: the next claim
-- starts the next one
select pgqrs_test.claim_ids('wq-dead-a', 2) as claimed \gset
select is(w.status, 'DEAD', 'DEAD') from pgqrs_test.workflow(:'doomed') w;
select is(:'claimed'::uuid[] || pgqrs_test.claim_ids('wq-dead-a', 1), :'next'::uuid[], 'the next one starts');

select * from finish();
rollback;
