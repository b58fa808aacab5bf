begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '1') \gset
create temp table caught as
    select * from pgqrs_test.error_of(format('select pgqrs.begin_step(%L, %L, %s, 1)', :'workflow_id', 'load', :token));

-- TEST: another key at a position where the run recorded a step: PQ010
select is(c.code, 'PQ010', 'PQ010') from caught c;
select is(c.detail::jsonb, '{"position": 1, "called": "load", "recorded": "fetch"}'::jsonb,
    'DETAIL names both keys') from caught c;
-- TEST: and no row is written for the new key
select is(pgqrs_test.step_count(:'workflow_id'), 1::bigint, 'still one step');

select * from finish();
rollback;
