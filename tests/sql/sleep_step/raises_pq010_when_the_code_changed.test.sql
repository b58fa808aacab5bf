begin;
select plan(5);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '1') \gset
create temp table caught as
    select * from pgqrs_test.error_of(format('select * from pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 60)',
                                             :'workflow_id', 'nap', :token));

-- TEST: a sleep at a position where the run recorded another step: PQ010, naming both keys
select is(c.code, 'PQ010', 'PQ010') from caught c;
select is(c.detail::jsonb, '{"position": 1, "called": "nap", "recorded": "fetch"}'::jsonb,
    'DETAIL names both keys') from caught c;
select is(pgqrs_test.step_count(:'workflow_id'), 1::bigint, 'no row for the sleep');
-- TEST: a sleep recorded at one position and called at another: PQ010
select status from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 2, p_seconds => 5, p_inline_seconds => 10) \gset
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 3, p_seconds => 5, p_inline_seconds => 10)',
    :'workflow_id', 'nap', :token), 'PQ010', null, 'same key at another position: PQ010');
select is(s.position, 2, 'the recorded position is kept') from pgqrs_test.step(:'workflow_id', 'nap') s;

select * from finish();
rollback;
