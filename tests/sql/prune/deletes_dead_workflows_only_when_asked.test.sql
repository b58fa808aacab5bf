begin;
select plan(5);
select pgqrs_test.prune_lock();

-- A DEAD root, and a SUCCESS root with a DEAD child, all from 2030-01-01.
select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
select pgqrs_test.dead_workflow() as dead \gset
select pgqrs_test.finished_workflow() as root \gset
select pgqrs_test.worker('worker-dead', array['wf-dead']) \gset
select workflow_id as dead_child from pgqrs.submit_workflow('wf-dead', '{"c": 1}', jsonb_build_object('parent_id', :'root', 'max_recoveries', 0)) \gset
select token from pgqrs.claim_workflows('worker-dead') \gset
select pgqrs_test.expire_lease(:'dead_child') \gset
select count(*) from pgqrs.claim_workflows('worker-dead') \gset
-- TEST: (setup) both DEAD workflows are DEAD
select results_eq(format('select status from pgqrs.workflows where id in (%L, %L)', :'dead', :'dead_child'),
    $$values ('DEAD'::text), ('DEAD'::text)$$, 'setup: DEAD');
select pgqrs_test.set_clock('2030-06-01 00:00:00+00') \gset

-- TEST: by default a DEAD workflow stays, and so does a tree with a DEAD member
select is(p.workflows, 0::bigint, 'nothing deleted by default') from pgqrs.prune(interval '30 days') p;
select is(pgqrs_test.tree_rows(array[:'dead', :'root', :'dead_child']::uuid[]),
    'workflows=3 steps=1 step_attempts=0 messages=0 events=0', 'all three stay');

-- TEST: with p_include_dead they go (a pass with another p_include_dead starts over)
select is(p.workflows, 3::bigint, 'DEAD ones too when asked')
  from pgqrs.prune(interval '30 days', p_include_dead => true) p;
select is(pgqrs_test.tree_rows(array[:'dead', :'root', :'dead_child']::uuid[]),
    'workflows=0 steps=0 step_attempts=0 messages=0 events=0', 'all three gone');

select * from finish();
rollback;
