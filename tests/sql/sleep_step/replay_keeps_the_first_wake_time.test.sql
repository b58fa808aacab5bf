begin;
select plan(7);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select status from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_seconds => 3600) \gset
-- A new run replays the workflow ten minutes later, with code that now sleeps 60 seconds.
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '10 minutes') \gset
select token as token2 from pgqrs.acquire_workflow(:'workflow_id', 'runner-b') \gset
create temp table replayed as
    select * from pgqrs.sleep_step(:'workflow_id', 'nap', :token2, 1, p_seconds => 60);

-- TEST: a replay of the same key keeps the first wake time, whatever seconds it passes
select results_eq('select status, wake_at, remaining from replayed',
    format($$values ('SUSPENDED'::text, %L::timestamptz, 3000::float8)$$, :'t0'::timestamptz + interval '1 hour'),
    'SUSPENDED until the first wake time');
select is(s.timeout_at, :'t0'::timestamptz + interval '1 hour', 'the step''s wake time is unchanged')
  from pgqrs_test.step(:'workflow_id', 'nap') s;
select is(w.available_at, :'t0'::timestamptz + interval '1 hour', 'available at the first wake time')
  from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: so does a replay with p_until, even one already passed
select token as token3 from pgqrs.acquire_workflow(:'workflow_id', 'runner-b') \gset
select results_eq(
    format($$select status, wake_at from pgqrs.sleep_step(%L, 'nap', %s, 1, p_until => %L)$$,
           :'workflow_id', :token3, :'t0'),
    format($$values ('SUSPENDED'::text, %L::timestamptz)$$, :'t0'::timestamptz + interval '1 hour'),
    'p_until in a replay is ignored too');
-- TEST: at the first wake time the replay is DONE
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '1 hour') \gset
select token as token4 from pgqrs.acquire_workflow(:'workflow_id', 'runner-b') \gset
select results_eq(
    format($$select status, wake_at from pgqrs.sleep_step(%L, 'nap', %s, 1, p_seconds => 60)$$,
           :'workflow_id', :token4),
    format($$values ('DONE'::text, %L::timestamptz)$$, :'t0'::timestamptz + interval '1 hour'),
    'DONE at the first wake time');
select is((s.output ->> 'wake_at')::timestamptz, :'t0'::timestamptz + interval '1 hour',
    'recorded with the first wake time') from pgqrs_test.step(:'workflow_id', 'nap') s;
select is(pgqrs_test.step_count(:'workflow_id'), 1::bigint, 'one step row');

select * from finish();
rollback;
