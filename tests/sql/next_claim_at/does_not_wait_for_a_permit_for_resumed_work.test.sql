begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-ncres-a', array['wf']) \gset
select pgqrs.set_queue('cq-ncres', '{"rate_limit": 1, "rate_period_seconds": 3600}') \gset
select pgqrs_test.fill_queue('cq-ncres', 1) as ids \gset
select pgqrs_test.claim_ids('wq-ncres-a', 10, 3600) \gset
select pgqrs.suspend_workflow((:'ids'::uuid[])[1], pgqrs_test.token((:'ids'::uuid[])[1]),
                              :'t0'::timestamptz + interval '1 minute') \gset
select pgqrs_test.fill_queue('cq-ncres', 1) \gset

-- TEST: a suspended workflow needs no permit: it is reported when it is due, not when a permit
-- frees
select is(pgqrs.next_claim_at('wq-ncres-a'), :'t0'::timestamptz + interval '1 minute', 'in a minute');
select pgqrs_test.advance_clock('1 minute') \gset
select is(pgqrs_test.claim_ids('wq-ncres-a', 10), :'ids'::uuid[], 'and claimed then');

select * from finish();
rollback;
