begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e1"') \gset

-- TEST: a RETRYING step takes no result before begin_step runs it again: PQ005
select throws_ok(format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '"ok"'),
    'PQ005', null, 'PQ005');
select is(s.status, 'RETRYING', 'still RETRYING') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
