begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '"boom"') \gset

-- TEST: a FAILED workflow cannot be completed
select throws_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, '"done"'),
    'PQ005', null, 'FAILED workflow: PQ005');
select is(w.status, 'FAILED', 'the workflow stays FAILED') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
