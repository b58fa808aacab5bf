begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.takeover(:'workflow_id') as new_token \gset
select lease_expires_at as expires from pgqrs_test.workflow(:'workflow_id') \gset

-- TEST: a stale token cannot suspend the workflow: PQ003, and the new holder keeps its lease
select throws_ok(format('select pgqrs.suspend_workflow(%L, %s, %L)', :'workflow_id', :token, :'t0'),
    'PQ003', null, 'PQ003');
select is(w.lease_owner, 'runner-b', 'runner-b still holds it') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, :'expires'::timestamptz, 'its lease is unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
