begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30) \gset
select pgqrs_test.worker('worker-b', array['wf']) \gset

-- TEST: a leased workflow becomes claimable when its lease expires
select is(pgqrs.next_claim_at('worker-b'), :'t0'::timestamptz + interval '30 seconds', 'the lease expiry');
-- TEST: a heartbeat pushes it back
select pgqrs_test.advance_clock('10 seconds') \gset
select pgqrs.heartbeat(:'workflow_id', :token) \gset
select is(pgqrs.next_claim_at('worker-b'), :'t0'::timestamptz + interval '40 seconds', 'the new expiry');

select * from finish();
rollback;
