begin;
select plan(1);

select pgqrs_test.dead_workflow() as wf \gset
select pgqrs.revive_workflow(:'wf') \gset

-- TEST: reviving twice raises PQ005: the workflow is RUNNING again
select throws_ok(format('select pgqrs.revive_workflow(%L)', :'wf'), 'PQ005', null, 'second revive: PQ005');

select * from finish();
rollback;
