begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
-- A step with a retry policy and a timeout, a step that failed for good, a durable sleep (a
-- wait step), then the step to fork from.
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60, 30) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '"rows"') \gset
select status from pgqrs.begin_step(:'workflow_id', 'parse', :token, 2, 2, 5, 5, 20) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'parse', :token, '"bad"', false) \gset
select status from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 3, p_until => :'t0') \gset
select pgqrs.record_step(:'workflow_id', 'load', :token, 4, '"loaded"') \gset
select pgqrs.fork_workflow(:'workflow_id', 'load') as fork \gset

-- TEST: the copied steps keep everything a replay reads: status, values, attempt, position,
-- policy, timeout and kind (wait or not)
select is(s.kind, 'wait', 'setup: nap is a wait step') from pgqrs_test.step(:'workflow_id', 'nap') s;
select results_eq(
    format($$select step_key, status, output, error, attempt, position, policy, timeout_at, kind
               from pgqrs.steps where workflow_id = %L order by position$$, :'fork'),
    format($$select step_key, status, output, error, attempt, position, policy, timeout_at, kind
               from pgqrs.steps where workflow_id = %L and step_key <> 'load' order by position$$, :'workflow_id'),
    'fetch, parse and nap, as they are in the source');

select * from finish();
rollback;
