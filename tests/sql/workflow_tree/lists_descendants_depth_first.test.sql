begin;
select plan(4);

-- A root with two children; the first child has a child of its own. Ids are time-ordered, so
-- siblings come in creation order.
select pgqrs_test.new_workflow('wf-root') as root \gset
select (pgqrs_test.child_chain(:'root', 2, 'wf-a'))[1] as a \gset
select (pgqrs_test.child_chain(:'root', 1, 'wf-b'))[1] as b \gset
select id as a_child from pgqrs.workflows where parent_id = :'a' \gset

-- TEST: the root first, then each subtree depth first, with depth and parent
select results_eq(
    format($$select id, parent_id, depth, name from pgqrs.workflow_tree(%L)$$, :'root'),
    format($$values (%L::uuid, null::uuid, 0, 'wf-root'::text), (%L, %L, 1, 'wf-a'),
                    (%L, %L, 2, 'wf-a'), (%L, %L, 1, 'wf-b')$$,
           :'root', :'a', :'root', :'a_child', :'a', :'b', :'root'),
    'root, wf-a, its child, then wf-b');
-- TEST: a subtree starts at the workflow asked for; its parent is not listed
select results_eq(
    format($$select id, depth from pgqrs.workflow_tree(%L)$$, :'a'),
    format($$values (%L::uuid, 0), (%L, 1)$$, :'a', :'a_child'),
    'the subtree of wf-a');
-- TEST: a workflow without children is a tree of one
select is((select count(*) from pgqrs.workflow_tree(:'b')), 1::bigint, 'a leaf: one row');
-- TEST: status and times come from the workflow rows
select is((select status from pgqrs.workflow_tree(:'root') where id = :'b'), 'PENDING',
          'the status of a child');

select * from finish();
rollback;
