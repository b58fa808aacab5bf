begin;
select plan(6);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.record_step(:'workflow_id', 'a', :token, 1, '1') \gset
create temp table before as select * from pgqrs.steps where workflow_id = :'workflow_id';
create temp table caught as
    select * from pgqrs_test.error_of(format('select pgqrs.record_step(%L, %L, %s, 2, %L)', :'workflow_id', 'a', :token, '1'));

-- TEST: a recorded step recorded again at another position (even with an equal output) is not
-- a repeat: the code changed under the run, PQ010
select is(c.code, 'PQ010', 'PQ010') from caught c;
select is(c.detail::jsonb, '{"position": 2, "called": "a", "recorded_position": 1}'::jsonb,
    'DETAIL names the positions') from caught c;
-- TEST: also for a step that is only begun (RUNNING)
select status from pgqrs.begin_step(:'workflow_id', 'b', :token, 2) \gset
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 3, %L)', :'workflow_id', 'b', :token, '1'),
    'PQ010', null, 'RUNNING step at another position: PQ010');
-- TEST: and nothing is written
select results_eq(format($$select * from pgqrs.steps where workflow_id = %L and step_key = 'a'$$, :'workflow_id'),
    'select * from before', 'the row of a is unchanged');
select is(s.status, 'RUNNING', 'b is still RUNNING') from pgqrs_test.step(:'workflow_id', 'b') s;
select is(s.position, 2, 'b keeps position 2') from pgqrs_test.step(:'workflow_id', 'b') s;

select * from finish();
rollback;
