begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-kt-a', array['wf']) \gset
select pgqrs_test.worker('wq-kt-b', array['wf']) \gset
select pgqrs.set_queue('cq-kt', '{"key_concurrency": 2}') \gset
select pgqrs_test.fill_queue('cq-kt', 1, '{"concurrency_key": "k"}') as ids \gset
select pgqrs_test.claim_ids('wq-kt-a', 10) \gset
select pgqrs_test.advance_clock('31 seconds') \gset
-- Worker a died; worker b takes the workflow over, then it sleeps for a minute.
select is(pgqrs_test.claim_ids('wq-kt-b', 10), :'ids'::uuid[], 'taken over');
select pgqrs.suspend_workflow((:'ids'::uuid[])[1], pgqrs_test.token((:'ids'::uuid[])[1]),
                              pgqrs.now() + interval '1 minute') \gset
select pgqrs_test.advance_clock('1 minute') \gset

-- TEST: when it is due, a worker is told and claims it
select is(pgqrs.next_claim_at('wq-kt-b'), pgqrs.now(), 'next_claim_at: now');
select is(pgqrs_test.claim_ids('wq-kt-b', 10), :'ids'::uuid[], 'claimed');

select * from finish();
rollback;
