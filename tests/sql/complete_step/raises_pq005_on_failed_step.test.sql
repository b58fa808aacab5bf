begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.failed_step(:'workflow_id', :token, 'fetch') \gset

-- TEST: a FAILED step cannot be completed
select throws_ok(
    format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '1'),
    'PQ005', null, 'FAILED step: PQ005');
select is(s.status, 'FAILED', 'the step stays FAILED') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
