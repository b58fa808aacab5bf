begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz + interval '1 hour') \gset

-- TEST: setup: the next claimable workflow is due in an hour
select is(pgqrs.next_claim_at('worker-a'), :'t0'::timestamptz + interval '1 hour', 'in an hour');
-- TEST: while a cancel or wake-up waits in pgqrs.deferred, any claim has work to do: now
insert into pgqrs.deferred (workflow_id, action, created_at)
values (pgqrs_test.new_workflow('wf-other'), 'wake', :'t0');
select is(pgqrs.next_claim_at('worker-a'), :'t0'::timestamptz, 'now');
-- TEST: once a claim has applied it, the hour again
select count(*) from pgqrs.claim('worker-a', gen_random_uuid()) \gset
select is(pgqrs.next_claim_at('worker-a'), :'t0'::timestamptz + interval '1 hour', 'in an hour again');

select * from finish();
rollback;
