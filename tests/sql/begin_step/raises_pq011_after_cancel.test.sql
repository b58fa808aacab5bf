begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.cancel_workflow(:'workflow_id', 'user asked') \gset

-- TEST: after cancel_workflow, the runner's next begin_step raises PQ011 (whatever its token) ...
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1)', :'workflow_id', 'fetch', :token),
    'PQ011', null, 'PQ011');
-- TEST: ... and starts nothing
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');
select is(w.status, 'CANCELLED', 'still CANCELLED') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
