begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.fail_step(:'workflow_id', 'parse', :token, '"boom"') \gset

-- TEST: a step's error is final: a different one raises PQ005 and is not stored
select throws_ok(format('select pgqrs.fail_step(%L, %L, %s, %L)', :'workflow_id', 'parse', :token, '"bang"'),
    'PQ005', null, 'different error: PQ005');
select is(s.error ->> 'message', 'boom', 'the stored error is unchanged') from pgqrs_test.step(:'workflow_id', 'parse') s;

select * from finish();
rollback;
