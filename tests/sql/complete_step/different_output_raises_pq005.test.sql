begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '{"rows": 3}') \gset

-- TEST: a step's output is final: a different one raises PQ005 and is not stored
select throws_ok(
    format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '{"rows": 4}'),
    'PQ005', null, 'different output: PQ005');
select is(s.output, '{"rows": 3}'::jsonb, 'the stored output is unchanged')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
