begin;
select plan(7);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id as wf_a, token as token_a from pgqrs_test.running_workflow('runner-a') \gset
select workflow_id as wf_b, token as token_b from pgqrs_test.running_workflow('runner-b') \gset
create temp table slept as
    select * from pgqrs.sleep_step(:'wf_a', 'nap', :token_a, 1,
                                   p_until => :'t0'::timestamptz + interval '2 hours');

-- TEST: with p_until the wake time is that time
select results_eq('select status, wake_at, remaining from slept',
    format($$values ('SUSPENDED'::text, %L::timestamptz, 7200::float8)$$, :'t0'::timestamptz + interval '2 hours'),
    'SUSPENDED until p_until');
select is(s.timeout_at, :'t0'::timestamptz + interval '2 hours', 'recorded as the wake time')
  from pgqrs_test.step(:'wf_a', 'nap') s;
select is(w.available_at, :'t0'::timestamptz + interval '2 hours', 'available at p_until')
  from pgqrs_test.workflow(:'wf_a') w;
-- TEST: a p_until already passed is DONE at once, recorded with that time, and keeps the lease
select results_eq(
    format($$select status, wake_at, remaining from pgqrs.sleep_step(%L, 'nap', %s, 1, p_until => %L)$$,
           :'wf_b', :token_b, :'t0'::timestamptz - interval '1 minute'),
    format($$values ('DONE'::text, %L::timestamptz, 0::float8)$$, :'t0'::timestamptz - interval '1 minute'),
    'DONE at once');
select is(s.status, 'SUCCESS', 'SUCCESS') from pgqrs_test.step(:'wf_b', 'nap') s;
select is((s.output ->> 'wake_at')::timestamptz, :'t0'::timestamptz - interval '1 minute', 'wake_at')
  from pgqrs_test.step(:'wf_b', 'nap') s;
select is(w.lease_owner, 'runner-b', 'still held') from pgqrs_test.workflow(:'wf_b') w;

select * from finish();
rollback;
