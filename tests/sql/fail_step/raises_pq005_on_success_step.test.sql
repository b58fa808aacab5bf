begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'parse') \gset

-- TEST: a SUCCESS step cannot be failed
select throws_ok(format('select pgqrs.fail_step(%L, %L, %s, %L)', :'workflow_id', 'parse', :token, '"boom"'),
    'PQ005', null, 'SUCCESS step: PQ005');
select is(s.status, 'SUCCESS', 'the step stays SUCCESS') from pgqrs_test.step(:'workflow_id', 'parse') s;

select * from finish();
rollback;
