begin;
select plan(5);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
select pgqrs.set_event(:'workflow_id', 'publish-1', :token, 1, 'status', '"started"') \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset
select pgqrs.set_event(:'workflow_id', 'publish-2', :token, 2, 'status', '"halfway"') \gset

-- TEST: a set_event under a new step key overwrites the value
select results_eq(format($$select value, set_at from pgqrs.get_event(%L, 'status')$$, :'workflow_id'),
    format($$values ('"halfway"'::jsonb, %L::timestamptz)$$, :'t1'), 'the newer value');
-- TEST: a replay of the first step (a new run re-executing the code) does not put the older
-- value back, whatever value it passes
select pgqrs_test.advance_clock('1 minute') \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as token2 \gset
select pgqrs.set_event(:'workflow_id', 'publish-1', :token2, 1, 'status', '"started"') \gset
select results_eq(format($$select value, set_at from pgqrs.get_event(%L, 'status')$$, :'workflow_id'),
    format($$values ('"halfway"'::jsonb, %L::timestamptz)$$, :'t1'), 'replay: unchanged');
select pgqrs.set_event(:'workflow_id', 'publish-1', :token2, 1, 'status', '"something else"') \gset
select results_eq(format($$select value from pgqrs.get_event(%L, 'status')$$, :'workflow_id'),
    $$values ('"halfway"'::jsonb)$$, 'replay with another value: unchanged');
-- TEST: the replayed step keeps its record
select is(s.output, '{"key": "status"}'::jsonb, 'the step is unchanged') from pgqrs_test.step(:'workflow_id', 'publish-1') s;
select is(pgqrs_test.step_count(:'workflow_id'), 2::bigint, 'two steps');

select * from finish();
rollback;
