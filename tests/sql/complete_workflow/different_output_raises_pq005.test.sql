begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.complete_workflow(:'workflow_id', :token, '{"total": 7}') \gset

-- TEST: a second completion with a different output raises PQ005 and is not stored
select throws_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, '{"total": 8}'),
    'PQ005', null, 'different output: PQ005');
select is(w.output, '{"total": 7}'::jsonb, 'the output is unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
