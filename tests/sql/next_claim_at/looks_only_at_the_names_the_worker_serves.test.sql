begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf-a', 'wf-c']) \gset
select pgqrs_test.worker('worker-b', array['wf-b']) \gset
-- Other names: due sooner, and a lease that expires sooner.
select pgqrs_test.queued_workflow('wf-b', p_run_at => :'t0'::timestamptz + interval '10 seconds') \gset
select pgqrs_test.queued_workflow('wf-b') \gset
select count(*) from pgqrs.claim('worker-b', gen_random_uuid(), 1, 5) \gset
-- The worker's own names.
select pgqrs_test.queued_workflow('wf-a', p_run_at => :'t0'::timestamptz + interval '60 seconds') \gset
select pgqrs_test.queued_workflow('wf-c', p_run_at => :'t0'::timestamptz + interval '50 seconds') \gset

-- TEST: the earliest available_at among the worker's names only, whatever other names hold
select is(pgqrs.next_claim_at('worker-a'), :'t0'::timestamptz + interval '50 seconds', 'wf-c in 50 seconds');
-- TEST: a lease of its names that expires sooner comes first
select pgqrs_test.worker('worker-b', array['wf-b']) \gset
select workflow_id as leased from pgqrs.submit_workflow('wf-a', '{"leased": 1}') \gset
select token from pgqrs.acquire_workflow(:'leased', 'runner-a', 20) \gset
select is(pgqrs.next_claim_at('worker-a'), :'t0'::timestamptz + interval '20 seconds', 'the lease in 20 seconds');
-- TEST: for worker-b, its own names: its lease in 5 seconds
select is(pgqrs.next_claim_at('worker-b'), :'t0'::timestamptz + interval '5 seconds', 'worker-b: 5 seconds');

select * from finish();
rollback;
