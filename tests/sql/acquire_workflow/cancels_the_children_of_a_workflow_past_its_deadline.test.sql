begin;
select plan(5);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id as parent from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "timeout_seconds": 60}') \gset
select token as parent_token from pgqrs.acquire_workflow(:'parent', 'runner-a', 600) \gset
select workflow_id as child from pgqrs.submit_workflow('wf', '{"child": true}', jsonb_build_object('parent_id', :'parent', 'queue', false)) \gset
select token as child_token from pgqrs.acquire_workflow(:'child', 'runner-b', 600) \gset
select pgqrs_test.advance_clock('60 seconds') \gset

-- TEST: acquire_workflow recording a workflow past its deadline as CANCELLED cancels its
-- running child too, with an error naming the parent
select is(a.status, 'CANCELLED', 'the parent is returned CANCELLED') from pgqrs.acquire_workflow(:'parent', 'runner-c') a;
select is(w.status, 'CANCELLED', 'the child is CANCELLED') from pgqrs_test.workflow(:'child') w;
select is(w.error ->> 'message', 'its parent workflow ' || :'parent' || ' was cancelled', 'naming the parent')
  from pgqrs_test.workflow(:'child') w;
-- TEST: the child's runner is fenced out
select is(w.lease_token, :child_token::bigint + 1, 'the child''s token moved on') from pgqrs_test.workflow(:'child') w;
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'child', :child_token), 'PQ011', null,
    'the child''s runner: PQ011');

select * from finish();
rollback;
