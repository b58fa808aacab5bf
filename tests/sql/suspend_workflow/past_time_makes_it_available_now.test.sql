begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_name => 'wf-suspend-past') \gset
select pgqrs.suspend_workflow(:'workflow_id', :token, :'t0'::timestamptz - interval '1 hour') \gset

-- TEST: a p_until in the past means now (NOTIFY pgqrs_work announces it: see tests/sql/notify)
select is(w.available_at, :'t0'::timestamptz, 'available now') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: a worker claims it at once
select results_eq($$select workflow_id from pgqrs.claim_workflows('worker-a')$$,
    format('values (%L::uuid)', :'workflow_id'), 'claimed at once');

select * from finish();
rollback;
