begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs.record_step(:'workflow_id', 'fetch', :token, 1, '{"rows": 3}') \gset
create temp table before as select * from pgqrs.steps where workflow_id = :'workflow_id';
select pgqrs_test.advance_clock('10 seconds') \gset

-- TEST: a step's output is final: recording another one raises PQ005 ...
select throws_ok(
    format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, '{"rows": 4}'),
    'PQ005', null, 'different output: PQ005');
select throws_ok(
    format('select pgqrs.record_step(%L, %L, %s, 1, null)', :'workflow_id', 'fetch', :token),
    'PQ005', null, 'NULL instead of the output: PQ005');
-- TEST: ... and changes nothing
select results_eq(format('select * from pgqrs.steps where workflow_id = %L', :'workflow_id'),
    'select * from before', 'the step row is unchanged');
select is(s.output, '{"rows": 3}'::jsonb, 'the stored output is the first one')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
