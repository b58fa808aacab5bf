begin;
select plan(6);
select pgqrs_test.prune_lock();

-- Two roots finished on 2030-01-01: one whose grandchild still runs, one whose child finished
-- only yesterday (within the window).
select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
select pgqrs_test.finished_workflow() as root_a \gset
select pgqrs_test.finished_workflow('SUCCESS', :'root_a') as child_a \gset
select workflow_id as grandchild_a from pgqrs.submit_workflow('wf', '{"g": 1}', jsonb_build_object('parent_id', :'child_a', 'queue', false)) \gset
select token as grandchild_token from pgqrs.acquire_workflow(:'grandchild_a', 'runner-a') \gset
select pgqrs_test.finished_workflow() as root_b \gset
select workflow_id as child_b from pgqrs.submit_workflow('wf', '{"c": 2}', jsonb_build_object('parent_id', :'root_b', 'queue', false)) \gset
select token as child_b_token from pgqrs.acquire_workflow(:'child_b', 'runner-a') \gset
select pgqrs_test.set_clock('2030-03-01 00:00:00+00') \gset
select pgqrs.complete_workflow(:'child_b', :child_b_token, '"late"') \gset
select pgqrs_test.set_clock('2030-03-02 00:00:00+00') \gset

-- TEST: neither tree goes: not one of its workflows
select is(p.workflows, 0::bigint, 'nothing deleted') from pgqrs.prune(interval '30 days') p;
select is(pgqrs_test.tree_rows(array[:'root_a', :'child_a', :'grandchild_a']::uuid[]),
    'workflows=3 steps=2 step_attempts=0 messages=0 events=0', 'the tree with a running grandchild is whole');
select is(pgqrs_test.tree_rows(array[:'root_b', :'child_b']::uuid[]),
    'workflows=2 steps=1 step_attempts=0 messages=0 events=0', 'the tree with a young child is whole');

-- TEST: once the grandchild finished and the window passed, the whole tree goes
select pgqrs.complete_workflow(:'grandchild_a', :grandchild_token, '"finally"') \gset
select pgqrs_test.set_clock('2030-04-15 00:00:00+00') \gset
select is(p.workflows, 5::bigint, 'both trees, 5 workflows') from pgqrs.prune(interval '30 days') p;
select is(pgqrs_test.tree_rows(array[:'root_a', :'child_a', :'grandchild_a']::uuid[]),
    'workflows=0 steps=0 step_attempts=0 messages=0 events=0', 'tree A is gone');
select is(pgqrs_test.tree_rows(array[:'root_b', :'child_b']::uuid[]),
    'workflows=0 steps=0 step_attempts=0 messages=0 events=0', 'tree B is gone');

select * from finish();
rollback;
