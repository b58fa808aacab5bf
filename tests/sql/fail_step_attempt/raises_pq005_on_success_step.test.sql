begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '1') \gset

-- TEST: a SUCCESS step cannot fail afterwards: PQ005, and it stays SUCCESS with no attempt row
select throws_ok(format('select pgqrs.fail_step_attempt(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '"late"'),
    'PQ005', null, 'PQ005');
select results_eq(
    format('select status, output, (select count(*) from pgqrs.step_attempts a where a.workflow_id = s.workflow_id)
              from pgqrs.steps s where s.workflow_id = %L', :'workflow_id'),
    $$values ('SUCCESS', '1'::jsonb, 0::bigint)$$, 'unchanged');

select * from finish();
rollback;
