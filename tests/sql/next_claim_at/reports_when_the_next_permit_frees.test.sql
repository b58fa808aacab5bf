begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-ncr-a', array['wf']) \gset
select pgqrs.set_queue('cq-ncr', '{"rate_limit": 2, "rate_period_seconds": 60}') \gset
select pgqrs_test.fill_queue('cq-ncr', 1) \gset
select pgqrs_test.claim_ids('wq-ncr-a', 10, 3600) \gset
select pgqrs_test.advance_clock('10 seconds') \gset
select pgqrs_test.fill_queue('cq-ncr', 2) \gset
select pgqrs_test.claim_ids('wq-ncr-a', 10, 3600) \gset

-- TEST: with every permit used, queued work is reported when the oldest permit frees
select is(pgqrs.next_claim_at('wq-ncr-a'), :'t0'::timestamptz + interval '60 seconds', 'a period after the first start');
-- TEST: with a permit free, at once
select pgqrs_test.advance_clock('50 seconds') \gset
select ok(pgqrs.next_claim_at('wq-ncr-a') <= pgqrs.now(), 'now');

select * from finish();
rollback;
