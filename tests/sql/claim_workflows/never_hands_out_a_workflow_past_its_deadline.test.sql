begin;
select plan(2);

-- claim_workflows cancels at most 100 workflows past their deadline per call. Make 101 of them
-- (deadlines 1..101 s), all claimable by worker-a: the one its deadline pass did not reach must
-- not be handed out either.
select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf-claim-deadlines']) \gset
select count(*) from generate_series(1, 101) i,
    pgqrs.submit_workflow('wf-claim-deadlines', jsonb_build_object('i', i),
                          jsonb_build_object('timeout_seconds', i)) \gset
select pgqrs_test.advance_clock('1 hour') \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-a', 10);

-- TEST: no workflow past its deadline is handed out
select is_empty($$select c.workflow_id from claimed c$$, 'nothing claimed');
select is((select count(*) from pgqrs.workflows w
            where w.name = 'wf-claim-deadlines' and w.lease_owner is not null), 0::bigint,
    'no lease granted on a workflow past its deadline');

select * from finish();
rollback;
