begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '{"a": 1, "b": 2}') \gset
select pgqrs_test.advance_clock('10 seconds') \gset

-- TEST: completing again with an equal output (a client retry) succeeds and changes nothing
select lives_ok(
    format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '{"b": 2, "a": 1}'),
    'an equal output (keys in another order) is accepted');
select is(s.finished_at, :'t0'::timestamptz, 'finished_at is unchanged') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.output, '{"a": 1, "b": 2}'::jsonb, 'the output is unchanged') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
