begin;
select plan(4);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '1') \gset
create temp table caught as
    select * from pgqrs_test.error_of(format('select pgqrs.begin_step(%L, %L, %s, 2)', :'workflow_id', 'fetch', :token));

-- TEST: a recorded step called at another position: the code changed under the run, PQ010
select is(c.code, 'PQ010', 'PQ010') from caught c;
select is(c.detail::jsonb, '{"position": 2, "called": "fetch", "recorded_position": 1}'::jsonb,
    'DETAIL names the positions') from caught c;
-- TEST: and nothing changes
select is(s.position, 1, 'position still 1') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.status, 'SUCCESS', 'still SUCCESS') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
