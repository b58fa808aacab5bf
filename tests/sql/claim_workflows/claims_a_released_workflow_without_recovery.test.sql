begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30) \gset
select pgqrs.release_workflow(:'workflow_id', :token) \gset
select pgqrs_test.worker('worker-b', array['wf']) \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-b');

-- TEST: a released workflow (no owner) is claimed at once, before its lease would have expired,
-- with the token after the one the release moved on to ...
select is(c.workflow_id, :'workflow_id'::uuid, 'claimed at once') from claimed c;
select is(c.token, :token::bigint + 2, 'released token + 2') from claimed c;
select is(w.lease_owner, 'worker-b', 'worker-b holds the lease') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... and it is not a recovery: its holder did not die
select is(c.recovered, false, 'recovered is false') from claimed c;
select is(w.recoveries, 0, 'recoveries 0') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
