begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30) \gset
select pgqrs.release_workflow(:'workflow_id', :token) \gset

-- TEST: a worker's workflow stays queued when released ...
select is(w.queued, true, 'still queued') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.status, 'RUNNING', 'still RUNNING') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... so a worker claims it again at once, with the token after the one the release
-- moved on to
create temp table claimed as select * from pgqrs.claim_workflows('worker-a');
select is(c.workflow_id, :'workflow_id'::uuid, 'claimed again at once') from claimed c;
select is(c.token, :token::bigint + 2, 'released token + 2') from claimed c;

select * from finish();
rollback;
