begin;
select plan(5);

-- Workflows that fill every column: a child with a deadline and a key that awaits another
-- workflow (waiting_for), a workflow held by a worker (lease), one retried (attempt 2).
select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() as r(parent, parent_token) \gset
select workflow_id as child from pgqrs.submit_workflow('wf', '{"child": 1}',
    jsonb_build_object('parent_id', :'parent', 'queue', false, 'idempotency_key', 'child-1',
                       'timeout_seconds', 3600, 'max_attempts', 3)) \gset
select token as child_token from pgqrs.acquire_workflow(:'child', 'runner-a') \gset
select pgqrs.fail_workflow(:'child', :child_token, '"try again"') \gset
select pgqrs_test.new_workflow() as awaited \gset
select * from pgqrs_test.claimed_workflow('worker-a', p_name => 'wf-claimed') as c(claimed, claimed_token) \gset
select status from pgqrs.await_workflow(:'parent', 'wait', :parent_token, 1, :'awaited') \gset

-- TEST: every column is the workflow's own, for every workflow
select results_eq(
    'select * from pgqrs.list_workflows_page()',
    $$select id, name, status, lease_owner, recoveries, created_at, updated_at, finished_at,
             idempotency_key, queued, available_at, lease_expires_at, waiting_for, deadline_at,
             parent_id, attempt, queue, priority, concurrency_key, pgqrs._held_by(w, pgqrs.now())
        from pgqrs.workflows w order by created_at desc, id desc$$,
    'the listed columns');
-- TEST: and none of the new columns is left empty by the setup
select is(p.idempotency_key || ' ' || p.attempt || ' ' || (p.parent_id = :'parent') || ' ' || (p.deadline_at is not null),
          'child-1 2 true true', 'key, attempt, parent and deadline of the child')
  from pgqrs.list_workflows_page() p where p.id = :'child';
select is(p.waiting_for, 'workflow:' || :'awaited', 'what the parent waits for')
  from pgqrs.list_workflows_page() p where p.id = :'parent';
select ok(p.queued and p.lease_expires_at is not null and p.available_at is not null,
          'the claimed workflow: queued, available_at, lease expiry')
  from pgqrs.list_workflows_page() p where p.id = :'claimed';
select is(p.status, 'RUNNING', 'the retried child is RUNNING, waiting for its retry')
  from pgqrs.list_workflows_page() p where p.id = :'child';

select * from finish();
rollback;
