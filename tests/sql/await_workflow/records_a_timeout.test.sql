begin;
select plan(8);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select workflow_id as other_id, token as other_token from pgqrs_test.running_workflow('runner-b', 3600) \gset
create temp table awaited as
    select * from pgqrs.await_workflow(:'workflow_id', 'child', :token, 1, :'other_id', p_timeout_seconds => 60);

-- TEST: with a timeout the waiter is suspended until then
select results_eq('select status, remaining from awaited', $$values ('SUSPENDED'::text, 60::float8)$$, 'SUSPENDED');
select is(s.timeout_at, :'t0'::timestamptz + interval '60 seconds', 'the step''s deadline')
  from pgqrs_test.step(:'workflow_id', 'child') s;
select is(w.available_at, :'t0'::timestamptz + interval '60 seconds', 'available at the deadline')
  from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: at the deadline, with the other still running, the await answers TIMEOUT, recorded
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '60 seconds') \gset
select token as token2 from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select results_eq(
    format($$select status, outcome, remaining from pgqrs.await_workflow(%L, 'child', %s, 1, %L, 60)$$,
           :'workflow_id', :token2, :'other_id'),
    $$values ('TIMEOUT'::text, null::jsonb, 0::float8)$$, 'TIMEOUT');
select is(s.output, '{"timeout": true}'::jsonb, 'recorded {"timeout": true}') from pgqrs_test.step(:'workflow_id', 'child') s;
select is(w.waiting_for, null, 'waiting_for cleared') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: the other finishing afterwards does not change the replayed outcome
select pgqrs.complete_workflow(:'other_id', :other_token, '1') \gset
select results_eq(
    format($$select status, outcome from pgqrs.await_workflow(%L, 'child', %s, 1, %L, 60)$$,
           :'workflow_id', :token2, :'other_id'),
    $$values ('TIMEOUT'::text, null::jsonb)$$, 'replay: still TIMEOUT');
select is(s.output, '{"timeout": true}'::jsonb, 'the record is unchanged') from pgqrs_test.step(:'workflow_id', 'child') s;

select * from finish();
rollback;
