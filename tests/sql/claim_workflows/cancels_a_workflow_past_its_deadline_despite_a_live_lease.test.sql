begin;
select plan(7);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf-claim-deadline']) \gset
select pgqrs_test.worker('worker-b', array['wf-claim-deadline-other']) \gset
select workflow_id from pgqrs.submit_workflow('wf-claim-deadline', '{}', '{"timeout_seconds": 60}') \gset
select token from pgqrs.claim_workflows('worker-a', 1, 600) \gset
select pgqrs_test.advance_clock('60 seconds') as t1 \gset
-- worker-a still holds a live lease (600 s). Another worker, serving other names, claims.
select count(*) from pgqrs.claim_workflows('worker-b') \gset

-- TEST: claim_workflows cancels a workflow past its deadline, whoever holds it, whatever its name
select is(w.status, 'CANCELLED', 'CANCELLED') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.error ->> 'type', 'pgqrs.DeadlineExceeded', 'pgqrs.DeadlineExceeded') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, null, 'the lease ended') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint + 1, 'token + 1') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: the holder is fenced out: its token is stale, and the workflow cancelled
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ011', null, 'heartbeat: PQ011');
select throws_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, '"late"'),
    'PQ011', null, 'complete_workflow: PQ011');
select is(w.output, null, 'no output') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
