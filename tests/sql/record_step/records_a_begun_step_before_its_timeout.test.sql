begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 60) \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, p_timeout_seconds => 5) \gset
select pgqrs_test.advance_clock('4.999 seconds') \gset

-- TEST: a result recorded before the begun step's timeout is accepted
select lives_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, '"in time"'),
    'record_step just before the timeout');
select is(s.status, 'SUCCESS', 'SUCCESS') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
