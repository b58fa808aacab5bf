begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.advance_clock('1 second') \gset
select status from pgqrs.acquire_step(:'workflow_id', 'b', :token) \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'a', '{"rows": 3}') \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.failed_step(:'workflow_id', :token, 'c', '"boom"') \gset

-- TEST: steps come back in the order they were started, whatever their keys
select results_eq(
    format('select step_key, status from pgqrs.list_steps(%L)', :'workflow_id'),
    $$values ('b', 'RUNNING'), ('a', 'SUCCESS'), ('c', 'FAILED')$$,
    'b, a, c');
-- TEST: each row carries the step's values
select results_eq(
    format('select output, error, attempt, lease_token from pgqrs.list_steps(%L)', :'workflow_id'),
    format($$values (null::jsonb, null::jsonb, 1, %1$s::bigint),
                    ('{"rows": 3}', null, 1, %1$s),
                    (null, '{"type": null, "message": "boom"}', 1, %1$s)$$, :token),
    'outputs, errors, attempts and tokens');

select * from finish();
rollback;
