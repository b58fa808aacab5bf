begin;
select plan(4);
select pgqrs_test.prune_lock();

-- A root still running, with a child that FAILED on 2030-01-01.
select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
select workflow_id as root, token from pgqrs_test.running_workflow() \gset
select pgqrs_test.finished_workflow('FAILED', :'root') as child \gset
select pgqrs_test.set_clock('2030-06-01 00:00:00+00') \gset

-- TEST: the old final child stays while its root runs
select is(p.workflows, 0::bigint, 'nothing deleted') from pgqrs.prune(interval '30 days') p;
select is(pgqrs_test.tree_rows(array[:'child']::uuid[]),
    'workflows=1 steps=1 step_attempts=0 messages=0 events=0', 'the child and its step stay');

-- TEST: when the root has finished and aged too, both go together
select pgqrs.complete_workflow(:'root', :token, '"done"') \gset
select pgqrs_test.set_clock('2030-08-01 00:00:00+00') \gset
select is(p.workflows, 2::bigint, 'the root and its child') from pgqrs.prune(interval '30 days') p;
select is(pgqrs_test.tree_rows(array[:'root', :'child']::uuid[]),
    'workflows=0 steps=0 step_attempts=0 messages=0 events=0', 'both gone');

select * from finish();
rollback;
