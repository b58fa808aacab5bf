begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select status from pgqrs.acquire_step(:'workflow_id', 'parse', :token) \gset
select pgqrs_test.advance_clock('2 seconds') as t1 \gset
select pgqrs_test.failed_step(:'workflow_id', :token, 'parse', '"bad"') \gset

-- TEST: fail_step records the failed attempt in step_attempts (error, owner, times)
select results_eq(
    format('select step_key, attempt, error, owner, started_at, finished_at from pgqrs.step_attempts where workflow_id = %L', :'workflow_id'),
    format($$values ('parse', 1, '{"type": null, "message": "bad"}'::jsonb, 'runner-a', %L::timestamptz, %L::timestamptz)$$,
           :'t0', :'t1'),
    'one attempt row');
-- TEST: an equal repeat adds no second row
select pgqrs_test.failed_step(:'workflow_id', :token, 'parse', '"bad"') \gset
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 1::bigint, 'still one row');
select results_eq(format('select attempt, status from pgqrs.list_step_attempts(%L)', :'workflow_id'),
    $$values (1, 'FAILED')$$, 'list_step_attempts lists it once');

select * from finish();
rollback;
