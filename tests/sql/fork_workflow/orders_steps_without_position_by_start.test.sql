begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
-- Steps recorded by 0.1.0 calls (no position), started in the order z, x, y.
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'z', '"Z"') \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.failed_step(:'workflow_id', :token, 'x', '"X"') \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'y', '"Y"') \gset

-- TEST: without positions, "before" is start order: forking from y copies z and x, as they
-- were (no position) ...
select pgqrs.fork_workflow(:'workflow_id', 'y') as fork_y \gset
select results_eq(
    format('select step_key, status, position from pgqrs.steps where workflow_id = %L order by started_at', :'fork_y'),
    $$values ('z', 'SUCCESS', null::integer), ('x', 'FAILED', null)$$,
    'z, x, without positions');
-- TEST: ... and forking from x copies z only
select pgqrs.fork_workflow(:'workflow_id', 'x') as fork_x \gset
select results_eq(format('select step_key from pgqrs.steps where workflow_id = %L', :'fork_x'),
    $$values ('z')$$, 'z');

select * from finish();
rollback;
