begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
-- Positions 1..5, begun out of time order: b (position 2) starts before a (position 1).
select status from pgqrs.begin_step(:'workflow_id', 'b', :token, 2) \gset
select pgqrs_test.advance_clock('1 second') \gset
select status from pgqrs.begin_step(:'workflow_id', 'a', :token, 1) \gset
select pgqrs.complete_step(:'workflow_id', 'a', :token, '"A"') \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'b', :token, '"B failed"') \gset
select pgqrs_test.advance_clock('1 second') \gset
select status from pgqrs.begin_step(:'workflow_id', 'c', :token, 3, 3, 10, 60) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'c', :token, '"C again"') \gset
select status from pgqrs.begin_step(:'workflow_id', 'd', :token, 4) \gset
select pgqrs.complete_step(:'workflow_id', 'd', :token, '"D"') \gset
select status from pgqrs.begin_step(:'workflow_id', 'e', :token, 5) \gset
select pgqrs.complete_step(:'workflow_id', 'e', :token, '"E"') \gset

-- TEST: forking from e copies the SUCCESS and FAILED steps before it, by position: a, b, d
-- (c is RETRYING, not finished; e and later run again)
select pgqrs.fork_workflow(:'workflow_id', 'e') as fork_e \gset
select results_eq(
    format('select step_key, status, output, error, position from pgqrs.steps where workflow_id = %L order by position', :'fork_e'),
    $$values ('a', 'SUCCESS', '"A"'::jsonb, null::jsonb, 1),
             ('b', 'FAILED', null, '{"type": null, "message": "B failed"}', 2),
             ('d', 'SUCCESS', '"D"', null, 4)$$,
    'fork from e: a, b, d');
-- TEST: position order, not start order: forking from b copies a (position 1), begun after b
select pgqrs.fork_workflow(:'workflow_id', 'b') as fork_b \gset
select results_eq(format('select step_key from pgqrs.steps where workflow_id = %L', :'fork_b'),
    $$values ('a')$$, 'fork from b: a');
-- TEST: forking from the first step copies nothing
select pgqrs.fork_workflow(:'workflow_id', 'a') as fork_a \gset
select is(pgqrs_test.step_count(:'fork_a'), 0::bigint, 'fork from a: no steps');

select * from finish();
rollback;
