begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
select pgqrs.cancel_workflow(:'workflow_id') \gset

-- TEST: after cancel_workflow a failed attempt is not recorded: PQ011
select throws_ok(format('select pgqrs.fail_step_attempt(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '"e"'),
    'PQ011', null, 'PQ011');
select is(s.status, 'RUNNING', 'the step is unchanged') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 0::bigint,
    'no attempt row');

select * from finish();
rollback;
