begin;
select plan(10);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
select status from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_seconds => 60,
                                    p_inline_seconds => 60) \gset
select pgqrs_test.advance_clock('60 seconds') as t1 \gset
create temp table slept as
    select * from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_seconds => 60,
                                   p_inline_seconds => 60);

-- TEST: once the wake time has passed the sleep answers DONE with its wake time
select results_eq('select status, wake_at, remaining from slept',
    format($$values ('DONE'::text, %L::timestamptz, 0::float8)$$, :'t0'::timestamptz + interval '60 seconds'),
    'DONE, wake_at, remaining 0');
-- TEST: and is recorded: SUCCESS with {"wake_at": ...}, finished now
select is(s.status, 'SUCCESS', 'SUCCESS') from pgqrs_test.step(:'workflow_id', 'nap') s;
select is(s.output, jsonb_build_object('wake_at', :'t0'::timestamptz + interval '60 seconds'),
    'output {"wake_at": ...}') from pgqrs_test.step(:'workflow_id', 'nap') s;
select is((s.output ->> 'wake_at')::timestamptz, :'t0'::timestamptz + interval '60 seconds',
    'wake_at reads back as the wake time') from pgqrs_test.step(:'workflow_id', 'nap') s;
select is(s.finished_at, :'t1'::timestamptz, 'finished now') from pgqrs_test.step(:'workflow_id', 'nap') s;
-- TEST: the lease is extended from now
select is(w.lease_expires_at, :'t1'::timestamptz + interval '600 seconds', 'lease extended')
  from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: a replay, later and with other seconds, answers DONE with the recorded wake time
select pgqrs_test.advance_clock('1 hour') \gset
select results_eq(
    format($$select status, wake_at from pgqrs.sleep_step(%L, 'nap', %s, 1, p_seconds => 9999)$$,
           :'workflow_id', :token),
    format($$values ('DONE'::text, %L::timestamptz)$$, :'t0'::timestamptz + interval '60 seconds'),
    'replay: DONE with the first wake time');
-- TEST: a sleep of 0 seconds is DONE at once
select results_eq(
    format($$select status, remaining from pgqrs.sleep_step(%L, 'zero', %s, 2, p_seconds => 0)$$,
           :'workflow_id', :token),
    $$values ('DONE'::text, 0::float8)$$, '0 seconds: DONE');
select is(s.status, 'SUCCESS', 'recorded SUCCESS') from pgqrs_test.step(:'workflow_id', 'zero') s;
-- TEST: a finished sleep is among the finished steps a new runner replays
select is(a.steps -> 'nap' ->> 'status', 'SUCCESS', 'acquire_workflow returns it')
  from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') a;

select * from finish();
rollback;
