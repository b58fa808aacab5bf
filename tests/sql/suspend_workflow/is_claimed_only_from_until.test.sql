begin;
select plan(5);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_name => 'wf-suspend-claim') \gset
select pgqrs.suspend_workflow(:'workflow_id', :token, :'t0'::timestamptz + interval '10 minutes') \gset

-- TEST: a suspended workflow is not claimed before p_until, even by the worker that held it ...
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '10 minutes' - interval '1 second') \gset
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'not one second early');
-- TEST: ... and is claimed from then on, with the next token, and not as a recovery
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '10 minutes') \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-a');
select is(c.workflow_id, :'workflow_id'::uuid, 'claimed at p_until') from claimed c;
select is(c.token, :token::bigint + 2, 'token + 2 (suspend, then grant)') from claimed c;
select is(c.recovered, false, 'not recovered') from claimed c;
select is(w.recoveries, 0, 'recoveries 0') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
