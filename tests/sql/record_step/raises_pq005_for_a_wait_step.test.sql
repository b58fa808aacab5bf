begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
select status from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_seconds => 5, p_inline_seconds => 10) \gset
create temp table before as select * from pgqrs.steps where workflow_id = :'workflow_id';

-- TEST: the key of a WAITING wait step (here a sleep) takes no result: PQ005 ...
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'nap', :token, '"ok"'),
    'PQ005', null, 'WAITING sleep: PQ005');
-- TEST: ... and it is left as it was
select results_eq(format('select * from pgqrs.steps where workflow_id = %L', :'workflow_id'),
    'select * from before', 'the step row is unchanged');
-- TEST: a finished wait step is no ordinary step either: even its own output raises PQ005
select pgqrs_test.advance_clock('5 seconds') \gset
select status from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_seconds => 5) \gset
select is(s.status, 'SUCCESS', 'the sleep is done') from pgqrs_test.step(:'workflow_id', 'nap') s;
select output as nap_output from pgqrs_test.step(:'workflow_id', 'nap') \gset
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'nap', :token, :'nap_output'),
    'PQ005', null, 'finished sleep, its own output: PQ005');
select is(s.output, :'nap_output'::jsonb, 'the output stays') from pgqrs_test.step(:'workflow_id', 'nap') s;

select * from finish();
rollback;
