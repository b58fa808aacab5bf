begin;
select plan(2);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: a workflow that was never acquired cannot be completed
select throws_ok(format('select pgqrs.complete_workflow(%L, 0, %L)', :'workflow_id', '"done"'),
    'PQ005', null, 'PENDING workflow: PQ005');
select is(w.status, 'PENDING', 'the workflow stays PENDING') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
