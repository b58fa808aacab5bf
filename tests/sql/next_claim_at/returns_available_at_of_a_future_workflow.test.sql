begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz + interval '10 minutes') \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz + interval '2 minutes') \gset

-- TEST: the earliest available_at of the queued workflows the worker serves
select is(pgqrs.next_claim_at('worker-a'), :'t0'::timestamptz + interval '2 minutes', 'the earliest one');
-- TEST: it may be in the past: a workflow claimable now
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz - interval '1 minute') \gset
select is(pgqrs.next_claim_at('worker-a'), :'t0'::timestamptz - interval '1 minute', 'a past time');

select * from finish();
rollback;
