begin;
select plan(5);

-- A tree: root -> child -> grandchild. Three workflows, each suspended awaiting one member of
-- the tree, and a fourth awaiting an unrelated workflow.
select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.new_workflow() as root \gset
select workflow_id as child from pgqrs.submit_workflow('wf', '{"c": 1}', jsonb_build_object('parent_id', :'root')) \gset
select workflow_id as grandchild from pgqrs.submit_workflow('wf', '{"c": 2}', jsonb_build_object('parent_id', :'child')) \gset
select pgqrs_test.new_workflow() as unrelated \gset
create temp table waiters as
    select a as awaits, r.workflow_id as id, r.token
      from unnest(array[:'root', :'child', :'grandchild', :'unrelated']::uuid[]) a,
           lateral pgqrs_test.running_workflow(p_input => jsonb_build_object('awaits', a)) r;
create temp table waits as
    select w.awaits, s.status from waiters w, lateral pgqrs.await_workflow(w.id, 'wait', w.token, 1, w.awaits) s;
select is_empty($$select * from waits where status <> 'SUSPENDED'$$, 'setup: the four waiters are suspended');
select pgqrs_test.advance_clock('1 minute') as t1 \gset

-- TEST: cancelling the root wakes whoever awaits any workflow of the tree: available now
select is(pgqrs.cancel_workflow(:'root'), true, 'the root is cancelled');
select results_eq(
    format($$select w.awaits, f.status, f.available_at from waiters w join pgqrs.workflows f on f.id = w.id
              where w.awaits <> %L order by w.awaits$$, :'unrelated'),
    format($$select a, 'RUNNING'::text, %L::timestamptz from unnest(array[%L, %L, %L]::uuid[]) a order by a$$,
           :'t1', :'root', :'child', :'grandchild'),
    'the waiters of root, child and grandchild are available now');
-- TEST: the waiter of an unrelated workflow sleeps on
select is(f.available_at, null, 'still suspended')
  from waiters w join pgqrs.workflows f on f.id = w.id where w.awaits = :'unrelated';
-- TEST: nothing was deferred
select is((select count(*) from pgqrs.deferred), 0::bigint, 'nothing deferred');

select * from finish();
rollback;
