begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '"boom"') \gset

-- TEST: a second failure with a different error raises PQ005 and is not stored
select throws_ok(format('select pgqrs.fail_workflow(%L, %s, %L)', :'workflow_id', :token, '"bang"'),
    'PQ005', null, 'different error: PQ005');
select is(w.error ->> 'message', 'boom', 'the error is unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
