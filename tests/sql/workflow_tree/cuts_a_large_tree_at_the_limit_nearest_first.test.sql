begin;
select plan(3);

-- A root with a chain of 5 descendants and 3 more direct children.
select pgqrs_test.new_workflow('wf-root') as root \gset
select pgqrs_test.child_chain(:'root', 5, 'wf-deep') as chain \gset
select pgqrs_test.child_chain(:'root', 1, 'wf-x'), pgqrs_test.child_chain(:'root', 1, 'wf-y'),
       pgqrs_test.child_chain(:'root', 1, 'wf-z') \gset

-- TEST: the whole tree has 9 rows
select is((select count(*) from pgqrs.workflow_tree(:'root')), 9::bigint, 'all 9');
-- TEST: p_limit rows at most
select is((select count(*) from pgqrs.workflow_tree(:'root', 4)), 4::bigint, 'at most 4');
-- TEST: the rows kept are the ones nearest the root: the root and its 3 direct children
select is((select max(depth) from pgqrs.workflow_tree(:'root', 5)), 1,
           '5 rows: the root and its four children, nothing deeper');

select * from finish();
rollback;
