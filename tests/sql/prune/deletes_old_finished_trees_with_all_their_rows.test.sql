begin;
select plan(8);
select pgqrs_test.prune_lock();

-- A tree finished on 2030-01-01: a root with a step, a failed attempt, a consumed message, an
-- unconsumed one and an event; a FAILED child; a CANCELLED grandchild. Idempotency key 'order-1'.
select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
select workflow_id as root from pgqrs.create_workflow('wf', '{}', p_idempotency_key => 'order-1') \gset
select token from pgqrs.acquire_workflow(:'root', 'runner-a') \gset
select status from pgqrs.begin_step(:'root', 'fetch', :token, 1, p_max_attempts => 3) \gset
select status from pgqrs.fail_step_attempt(:'root', 'fetch', :token, '"flaky"') \gset
select pgqrs_test.advance_clock('1 hour') \gset
select status from pgqrs.begin_step(:'root', 'fetch', :token, 1, p_max_attempts => 3) \gset
select pgqrs.complete_step(:'root', 'fetch', :token, '"ok"') \gset
select message_id from pgqrs.send_message(:'root', 'go', '1') \gset
select message_id from pgqrs.send_message(:'root', 'never-read', '2') \gset
select status from pgqrs.recv_message(:'root', 'wait-go', :token, 2, 'go') \gset
select pgqrs.set_event(:'root', 'publish', :token, 3, 'progress', '100') \gset
select pgqrs_test.finished_workflow('FAILED', :'root') as child \gset
select pgqrs_test.finished_workflow('CANCELLED', :'child') as grandchild \gset
select pgqrs.complete_workflow(:'root', :token, '"done"') \gset
-- And an unrelated workflow that finished later, within the window.
select pgqrs_test.advance_clock('20 days') \gset
select pgqrs_test.finished_workflow() as recent \gset

-- TEST: (setup) the tree has rows in every table
select is(pgqrs_test.tree_rows(array[:'root', :'child', :'grandchild']::uuid[]),
    'workflows=3 steps=5 step_attempts=1 messages=2 events=1', 'setup: the tree''s rows');

-- 30 days after the tree finished.
select pgqrs_test.set_clock('2030-01-31 02:00:00+00') \gset
create temp table pruned as select * from pgqrs.prune(interval '30 days');

-- TEST: prune reports what it deleted, and that its pass is over
select results_eq('select workflows, steps, step_attempts, messages, events, more, busy from pruned',
    $$values (3::bigint, 5::bigint, 1::bigint, 2::bigint, 1::bigint, false, false)$$,
    'the counts of the tree');
-- TEST: the root, its child and grandchild are gone, with every row of theirs
select is(pgqrs_test.tree_rows(array[:'root', :'child', :'grandchild']::uuid[]),
    'workflows=0 steps=0 step_attempts=0 messages=0 events=0', 'no row left');
select throws_ok(format('select * from pgqrs.get_workflow(%L)', :'root'), 'PQ001', null,
    'get_workflow of a pruned workflow: PQ001');
-- TEST: a workflow finished within the window stays, with its step
select is(pgqrs_test.tree_rows(array[:'recent']::uuid[]),
    'workflows=1 steps=1 step_attempts=0 messages=0 events=0', 'the recent one stays');
-- TEST: the idempotency key is free again: the same key makes a new workflow
select ok(c.created and c.workflow_id <> :'root'::uuid, 'order-1 names a new workflow')
  from pgqrs.create_workflow('wf', '{}', p_idempotency_key => 'order-1') c;
-- TEST: a second call finds nothing more
select results_eq('select workflows, more, busy from pgqrs.prune(interval ''30 days'')',
    $$values (0::bigint, false, false)$$, 'nothing left to prune');
-- TEST: the window is measured from the last change: a day less and the recent one stays
select is(p.workflows, 0::bigint, 'the recent one is within 20 days') from pgqrs.prune(interval '20 days') p;

select * from finish();
rollback;
