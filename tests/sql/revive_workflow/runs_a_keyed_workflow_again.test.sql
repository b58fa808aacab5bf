begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-revk-a', array['wf']) \gset
select pgqrs.set_queue('cq-revk', '{"key_concurrency": 1}') \gset
select pgqrs_test.fill_queue('cq-revk', 1, '{"concurrency_key": "k", "max_recoveries": 0}') as ids \gset
select pgqrs_test.claim_ids('wq-revk-a', 10) \gset
select pgqrs_test.expire_lease((:'ids'::uuid[])[1]) \gset
-- The claim moves it to DEAD (crash loop); a later claim drops the key without work.
select pgqrs_test.claim_ids('wq-revk-a', 10) \gset
select pgqrs_test.claim_ids('wq-revk-a', 10) \gset
select is(w.status, 'DEAD', 'DEAD') from pgqrs_test.workflow((:'ids'::uuid[])[1]) w;

-- TEST: a keyed workflow revived is claimed again
select pgqrs.revive_workflow((:'ids'::uuid[])[1]) \gset
select is(pgqrs_test.claim_ids('wq-revk-a', 10), :'ids'::uuid[], 'claimed again');

select * from finish();
rollback;
