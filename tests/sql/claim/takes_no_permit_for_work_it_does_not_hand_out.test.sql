begin;
select plan(3);

-- A worker serving two names: one with a workflow whose runner's lease expired, one queued in a
-- queue limited to one start a minute.
select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-np-a', array['wf', 'wf-np-rated']) \gset
select pgqrs_test.worker('wq-np-b', array['wf']) \gset
select pgqrs.set_queue('cq-np', '{"rate_limit": 1, "rate_period_seconds": 60}') \gset
select * from pgqrs_test.claimed_workflow('wq-np-b') as c(expired, expired_token) \gset
select pgqrs_test.expire_lease(:'expired') \gset
select pgqrs_test.fill_queue('cq-np', 1, '{}', 'wf-np-rated') as rated \gset

-- TEST: a claim of one hands out the expired lease first (once a second it looks for them first)
select is(pgqrs_test.claim_ids('wq-np-a', 1), array[:'expired'::uuid], 'the recovery');
-- TEST: the rate-limited workflow it did not hand out used no permit: the next claim starts it
select is(pgqrs_test.claim_ids('wq-np-a', 1), :'rated'::uuid[], 'started by the next claim');
select is((select count(*) from pgqrs.queue_permits where queue = 'cq-np' and used_at > '2000-01-01'),
          1::bigint, 'one permit used');

select * from finish();
rollback;
