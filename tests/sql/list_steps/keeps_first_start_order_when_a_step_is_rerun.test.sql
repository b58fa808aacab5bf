begin;
select plan(1);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.acquire_step(:'workflow_id', 'b', :token) \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'a') \gset
select pgqrs_test.takeover(:'workflow_id') as new_token \gset
select status from pgqrs.acquire_step(:'workflow_id', 'b', :new_token) \gset

-- TEST: a step handed out again keeps its place: steps are listed in the order they were first
-- started
select results_eq(
    format('select step_key, attempt from pgqrs.list_steps(%L)', :'workflow_id'),
    $$values ('b', 2), ('a', 1)$$,
    'b (re-run) was first started before a');

select * from finish();
rollback;
