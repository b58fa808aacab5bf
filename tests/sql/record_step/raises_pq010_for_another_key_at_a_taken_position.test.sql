begin;
select plan(6);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.record_step(:'workflow_id', 'a', :token, 1, '1') \gset
create temp table caught as
    select * from pgqrs_test.error_of(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'b', :token, '1'));

-- TEST: another key at a position where the run recorded a step: the code changed, PQ010
select is(c.code, 'PQ010', 'PQ010') from caught c;
select is(c.detail::jsonb, '{"position": 1, "called": "b", "recorded": "a"}'::jsonb,
    'DETAIL names both keys') from caught c;
-- TEST: also when the position is held by a step that is only begun (RUNNING)
select status from pgqrs.begin_step(:'workflow_id', 'c', :token, 2) \gset
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 2, %L)', :'workflow_id', 'd', :token, '1'),
    'PQ010', null, 'position of a RUNNING step: PQ010');
-- TEST: and no row is written for the new keys
select is(pgqrs_test.step_count(:'workflow_id'), 2::bigint, 'still two steps');
select is(s.step_key, null, 'no row for b') from pgqrs_test.step(:'workflow_id', 'b') s;
select is(s.status, 'RUNNING', 'c is still RUNNING') from pgqrs_test.step(:'workflow_id', 'c') s;

select * from finish();
rollback;
