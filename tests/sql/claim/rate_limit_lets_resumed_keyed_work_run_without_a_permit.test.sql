begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-rk-a', array['wf']) \gset
select pgqrs.set_queue('cq-rk', '{"rate_limit": 1, "rate_period_seconds": 3600, "concurrency": 5}') \gset
select pgqrs_test.fill_queue('cq-rk', 1, '{"concurrency_key": "k"}') as first \gset
select pgqrs_test.claim_ids('wq-rk-a', 10, 3600) \gset
select pgqrs.suspend_workflow((:'first'::uuid[])[1], pgqrs_test.token((:'first'::uuid[])[1]),
                              :'t0'::timestamptz + interval '1 minute') \gset
-- First starts of the same key queue up ahead of it; the only permit is used.
select pgqrs_test.fill_queue('cq-rk', 3, '{"concurrency_key": "k"}') \gset

-- TEST: the suspended workflow of the key is reported when it is due, not when a permit frees
select is(pgqrs.next_claim_at('wq-rk-a'), :'t0'::timestamptz + interval '1 minute', 'in a minute');
-- TEST: and claimed then, ahead of the first starts that wait for a permit
select pgqrs_test.advance_clock('1 minute') \gset
select is(pgqrs_test.claim_ids('wq-rk-a', 10), :'first'::uuid[], 'the resumed one only');
-- TEST: the claim holds no slot for a workflow it did not start
select is((select count(*) from pgqrs.queue_slots where queue = 'cq-rk' and workflow_id is not null),
          1::bigint, 'one slot held');

select * from finish();
rollback;
