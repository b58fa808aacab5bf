begin;
select plan(14);

-- The application role (USAGE on the schema, EXECUTE on the API functions, as docs/security.md
-- sets it up) runs a worker with schema evil first on its search_path: look-alikes of every
-- built-in function and operator pgqrs uses (tests/sql/fixtures/hostile_search_path.sql). The
-- run covers claims, a crash loop to DEAD, revive, release, a restart and stop.
\ir ../fixtures/hostile_search_path.sql

create role pgqrs_test_evil_worker nologin;
grant usage on schema pgqrs to pgqrs_test_evil_worker;
do $$
declare
    v_fn regprocedure;
begin
    for v_fn in
        select p.oid from pg_proc p where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
    loop
        execute format('grant execute on function %s to pgqrs_test_evil_worker', v_fn);
    end loop;
end
$$;

select pg_catalog.clock_timestamp() as started \gset
select pg_catalog.clock_timestamp() + interval '1 hour' as later,
       pg_catalog.clock_timestamp() + interval '10 minutes' as crashed_at \gset

set local role pgqrs_test_evil_worker;
set local search_path = evil, public, pg_catalog;

-- The run. Only pgqrs calls, literals and psql variables here: no function or operator of ours.
select pgqrs.register_worker('worker-evil', array['wf-evil-w'], 2, 'host-evil', 42) as registered \gset
select workflow_id as id_a from pgqrs.start_workflow('wf-evil-w', '{"n": 1}') \gset
select workflow_id as id_b from pgqrs.start_workflow('wf-evil-w', '{"n": 2}', p_max_recoveries => 0) \gset
select workflow_id as id_c from pgqrs.start_workflow('wf-evil-w', '{"n": 3}', p_run_at => :'later') \gset
select workflow_id as claimed_a, token as token_a from pgqrs.claim_workflows('worker-evil', 1, 30) \gset
select workflow_id as claimed_b, token as token_b, input as input_b from pgqrs.claim_workflows('worker-evil', 1, 30) \gset
select coalesce((select c.workflow_id::text from pgqrs.claim_workflows('worker-evil', 1, 30) c limit 1),
                'none') as claimed_none \gset
select pgqrs.next_claim_at('worker-evil') as next_at \gset
select pgqrs.worker_heartbeat('worker-evil') \gset
select pgqrs.complete_step(:'id_a', 'fetch', :token_a, '{"rows": 3}') \gset
select pgqrs.complete_workflow(:'id_a', :token_a, '{"total": 3}') \gset
select pgqrs.complete_step(:'id_b', 'fetch', :token_b, '{"rows": 4}') \gset

-- worker-evil "dies" holding B: past its lease, a claim finds B over max_recoveries (0).
set local pgqrs.fake_now = :'crashed_at';
select coalesce((select c.workflow_id::text from pgqrs.claim_workflows('worker-evil', 1, 30) c limit 1),
                'none') as claimed_dead \gset
select status as dead_status, error as dead_error from pgqrs.get_workflow(:'id_b') \gset
select pgqrs.revive_workflow(:'id_b') \gset
select workflow_id as revived, token as token_revived, steps as revived_steps, recovered as revived_recovered
  from pgqrs.claim_workflows('worker-evil', 1, 30) \gset
select pgqrs.release_workflow(:'id_b', :token_revived) \gset
select token as token_reclaimed from pgqrs.claim_workflows('worker-evil', 1, 30) \gset
-- A restart under the same name: the lease on B is released as a recovery.
select pgqrs.register_worker('worker-evil', array['wf-evil-w'], 2) as restart_released \gset
select recoveries as b_recoveries, lease_token as b_token from pgqrs.get_workflow(:'id_b') \gset
select array(select row(k.name, k.alive, k.running)::text from pgqrs.list_workers() k) as workers \gset
select array(select row(c.name, c.status, c.count, c.served)::text from pgqrs.workflow_counts() c) as counts \gset
select array(select row(l.id, l.status)::text from pgqrs.list_workflows(p_name => 'wf-evil-w') l) as listed \gset
select pgqrs.stop_worker('worker-evil') as stop_released \gset

reset search_path;
reset role;

-- TEST: with the hostile search_path, every worker call behaved normally
select is(:'registered'::integer, 0, 'register_worker');
select is(array[:'claimed_a', :'claimed_b']::uuid[], array[:'id_a', :'id_b']::uuid[],
    'claim_workflows handed out the oldest workflows first');
select is(array[:token_a, :token_b]::bigint[], array[1, 1]::bigint[], 'each with token 1');
select is(:'input_b'::jsonb, '{"n": 2}'::jsonb, 'with its input');
select is(:'claimed_none'::text, 'none', 'and not the one due in an hour');
select ok(:'next_at'::timestamptz between :'started'::timestamptz + interval '29 seconds'
                                      and clock_timestamp() + interval '30 seconds',
    'next_claim_at is the earliest lease expiry on the real clock');
select is(w.status || ' ' || w.output::text, 'SUCCESS {"total": 3}', 'workflow A completed')
  from pgqrs.get_workflow(:'id_a') w;
select is(:'claimed_dead' || ' ' || :'dead_status' || ' ' || (:'dead_error'::jsonb ->> 'type'), 'none DEAD pgqrs.CrashLoop',
    'a claim after the crash moved B to DEAD instead of handing it out');
select is(:'revived' || ' ' || :token_revived || ' ' || :'revived_recovered' || ' ' || :'revived_steps',
    :'id_b' || ' 3 f {"fetch": {"error": null, "output": {"rows": 4}, "status": "SUCCESS"}}',
    'revived, B was claimed again with its finished step');
select is(array[:token_reclaimed, :'restart_released'::bigint, :'b_recoveries'::bigint, :b_token],
    array[5, 1, 1, 6]::bigint[], 'release, reclaim, and a restart that released B as a recovery');
select is(:'workers'::text[], array['(worker-evil,t,{})'], 'list_workers');
select is(:'counts'::text[], array['(wf-evil-w,PENDING,1,t)', '(wf-evil-w,RUNNING,1,t)', '(wf-evil-w,SUCCESS,1,t)'],
    'workflow_counts');
select is(:'listed'::text[], array['(' || :'id_c' || ',PENDING)', '(' || :'id_b' || ',RUNNING)', '(' || :'id_a' || ',SUCCESS)'],
    'list_workflows');

-- TEST: no look-alike ran
select is_empty($$select lookalike, run_as, context from evil.calls$$, 'no look-alike of schema evil ran');

select * from finish();
rollback;
