begin;
select plan(6);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs.record_step(:'workflow_id', 'fetch', :token, 1, '{"a": 1, "b": 2}', 2) \gset
create temp table before as select * from pgqrs.steps where workflow_id = :'workflow_id';
select pgqrs_test.advance_clock('10 seconds') \gset

-- TEST: recording again with an equal output (a client retry after a lost answer) succeeds ...
select lives_ok(
    format('select pgqrs.record_step(%L, %L, %s, 1, %L, 7)', :'workflow_id', 'fetch', :token, '{"b": 2, "a": 1}'),
    'an equal output (keys in another order) is accepted');
-- TEST: ... and changes nothing: not the output, the times nor the attempt
select results_eq(format('select * from pgqrs.steps where workflow_id = %L', :'workflow_id'),
    'select * from before', 'the step row is unchanged');
select is(s.finished_at, :'t0'::timestamptz, 'finished_at is the first call''s')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.started_at, :'t0'::timestamptz - interval '2 seconds', 'started_at is the first call''s')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.attempt, 1, 'still attempt 1') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 0::bigint,
    'no attempt recorded');

select * from finish();
rollback;
