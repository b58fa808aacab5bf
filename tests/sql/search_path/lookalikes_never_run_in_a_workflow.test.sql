begin;
select plan(19);

-- The application role (USAGE on the schema, EXECUTE on the API functions, as docs/security.md
-- sets it up) runs a whole workflow with schema evil first on its search_path: look-alikes of
-- every built-in function and operator pgqrs uses (tests/sql/fixtures/hostile_search_path.sql),
-- and, first of all, temporary tables named like pgqrs's. The API functions are SECURITY
-- DEFINER, so a look-alike they ran would run with the owner's privileges.
\ir ../fixtures/hostile_search_path.sql

create role pgqrs_test_evil_app nologin;
grant usage on schema pgqrs to pgqrs_test_evil_app;
do $$
declare
    v_fn regprocedure;
begin
    for v_fn in
        select p.oid from pg_proc p where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
    loop
        execute format('grant execute on function %s to pgqrs_test_evil_app', v_fn);
    end loop;
end
$$;
create temp table outcome (what text, code text);
grant insert on outcome to public;

select pg_catalog.clock_timestamp() as started \gset
select '{"type": "BigError", "message": "' || repeat('x', 5000) || '"}' as big_error \gset

set local role pgqrs_test_evil_app;
create temp table workflows (id uuid, status text);
create temp table steps (workflow_id uuid, status text);
create temp table workers (name text);
set local search_path = pg_temp, evil, public, pg_catalog;

-- The run. Only pgqrs calls, literals and psql variables here: no function or operator of ours.
select workflow_id, created from pgqrs.create_workflow('wf-evil', '{"n": 1}', p_idempotency_key => 'key-evil') \gset
select workflow_id as again_id, created as again_created
  from pgqrs.create_workflow('wf-evil', '{"n": 1}', p_idempotency_key => 'key-evil') \gset
select token as token1, lease_expires_at from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 30) \gset
select status as step_status from pgqrs.acquire_step(:'workflow_id', 'fetch', :token1) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token1, '{"rows": 3}') \gset
select status as replay_status, value as replay_value from pgqrs.acquire_step(:'workflow_id', 'fetch', :token1) \gset
select pgqrs.fail_step(:'workflow_id', 'charge', :token1, '"card declined"') \gset
select pgqrs.heartbeat(:'workflow_id', :token1) as heartbeat_expiry \gset
select token as token2, steps from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 30) \gset
select pgqrs.release_workflow(:'workflow_id', :token2) \gset
select token as token3 from pgqrs.acquire_workflow(:'workflow_id', 'runner-b', 30) \gset
select pgqrs.complete_workflow(:'workflow_id', :token3, '{"total": 3}') \gset
select pgqrs.complete_workflow(:'workflow_id', :token3, '{"total": 3}') \gset

set local pgqrs.max_payload_bytes = 2000;
select workflow_id as failed_id from pgqrs.create_workflow('wf-evil', '{"n": 2}') \gset
select token as failed_token from pgqrs.acquire_workflow(:'failed_id', 'runner-a', 30) \gset
select pgqrs.fail_step(:'failed_id', 'big', :failed_token, :'big_error') \gset
select pgqrs.fail_workflow(:'failed_id', :failed_token, '{"type": "E", "message": "boom"}') \gset

set local pgqrs.evil_id = :'workflow_id';
set local pgqrs.evil_failed_id = :'failed_id';
set local pgqrs.evil_token1 = :token1;
do $$
declare
    v_id     uuid := pg_catalog.current_setting('pgqrs.evil_id')::uuid;
    v_failed uuid := pg_catalog.current_setting('pgqrs.evil_failed_id')::uuid;
    v_token  bigint := pg_catalog.current_setting('pgqrs.evil_token1')::bigint;
    v_code   text;
    v_new    uuid;
    v_tok    bigint;
begin
    select c.workflow_id into v_new from pgqrs.create_workflow('wf-evil', '{"n": 3}') c;
    select a.token into v_tok from pgqrs.acquire_workflow(v_new, 'runner-c', 30) a;
    perform pgqrs.fail_step(v_new, 'charge', v_tok, '"declined"');
    begin
        perform pgqrs.acquire_step(v_new, 'charge', v_tok);
    exception when others then
        get stacked diagnostics v_code = returned_sqlstate;
    end;
    insert into pg_temp.outcome values ('failed step replayed', v_code);
    v_code := null;
    begin
        perform pgqrs.complete_step(v_id, 'late', v_token, '1');
    exception when others then
        get stacked diagnostics v_code = returned_sqlstate;
    end;
    insert into pg_temp.outcome values ('stale token', v_code);
    v_code := null;
    begin
        perform pgqrs.create_workflow('   ');
    exception when others then
        get stacked diagnostics v_code = returned_sqlstate;
    end;
    insert into pg_temp.outcome values ('blank name', v_code);
    v_code := null;
    begin
        perform pgqrs.create_workflow('wf-evil', '{"n": 1}', p_idempotency_key => 'key-evil'),
                pgqrs.create_workflow('wf-evil', '{"n": 9}', p_idempotency_key => 'key-evil');
    exception when others then
        get stacked diagnostics v_code = returned_sqlstate;
    end;
    insert into pg_temp.outcome values ('idempotency conflict', v_code);
    v_code := null;
    begin
        perform pgqrs.create_workflow('wf-evil', pg_catalog.to_jsonb(pg_catalog.repeat('x', 3000)));
    exception when others then
        get stacked diagnostics v_code = returned_sqlstate;
    end;
    insert into pg_temp.outcome values ('input too large', v_code);
    v_code := null;
    begin
        perform pgqrs.acquire_workflow(v_failed, 'runner-a', 0);
    exception when others then
        get stacked diagnostics v_code = returned_sqlstate;
    end;
    insert into pg_temp.outcome values ('zero lease', v_code);
end
$$;

select status as final_status, output as final_output, created_at
  from pgqrs.get_workflow(:'workflow_id') \gset
select status as failed_status, error as failed_error from pgqrs.get_workflow(:'failed_id') \gset
select error as big_stored from pgqrs.list_steps(:'failed_id') \gset
select id as listed_id from pgqrs.list_workflows(p_status => 'SUCCESS', p_name => 'wf-evil') \gset
select pgqrs.now() as pgqrs_now, pgqrs.version() as pgqrs_version \gset

reset search_path;
reset role;

-- TEST: with the hostile search_path, every call behaved normally
select is(:'again_id'::uuid, :'workflow_id'::uuid, 'the idempotency key found the workflow again');
select is(:'created' || ' ' || :'again_created', 't f', 'created, then not');
select is(substr(:'workflow_id', 15, 1) || substr(:'failed_id', 15, 1), '77', 'the ids are version 7 UUIDs');
select ok(:'workflow_id'::uuid <> :'failed_id'::uuid and :'workflow_id'::uuid <> '00000000-0000-4000-8000-000000000000',
    'made from real random bits');
select ok(:'lease_expires_at'::timestamptz between :'started'::timestamptz + interval '29 seconds'
                                               and clock_timestamp() + interval '30 seconds',
    'the lease expiry is now + 30 s on the real clock');
select ok(:'heartbeat_expiry'::timestamptz between :'started'::timestamptz + interval '29 seconds'
                                               and clock_timestamp() + interval '30 seconds',
    'so is the heartbeat''s');
select is(:'step_status' || ' ' || :'replay_status' || ' ' || :'replay_value', 'EXECUTE SKIPPED {"rows": 3}',
    'the step ran once, then replayed its output');
select is(:'steps'::jsonb,
    '{"fetch": {"status": "SUCCESS", "output": {"rows": 3}, "error": null},
      "charge": {"status": "FAILED", "output": null, "error": {"type": null, "message": "card declined"}}}'::jsonb,
    'acquire_workflow returned the finished steps');
select is(array[:token1, :token2, :token3]::bigint[], array[1, 2, 4]::bigint[],
    'the fencing tokens were 1, 2 and (after a release) 4');
select is(:'final_status' || ' ' || :'final_output', 'SUCCESS {"total": 3}', 'the workflow completed');
select ok(:'created_at'::timestamptz between :'started'::timestamptz and clock_timestamp(),
    'created_at is on the real clock');
select is(:'failed_status' || ' ' || :'failed_error', 'FAILED {"type": "E", "message": "boom"}',
    'the second workflow failed');
select ok((:'big_stored'::jsonb ->> 'truncated')::boolean and pg_column_size(:'big_stored'::jsonb) <= 2000,
    'an error over max_payload_bytes was cut down to fit');
select is(:'listed_id'::uuid, :'workflow_id'::uuid, 'list_workflows filtered by status and name');
select ok(:'pgqrs_now'::timestamptz between :'started'::timestamptz and clock_timestamp()
          and :'pgqrs_version' <> '', 'now() and version()');
select results_eq(
    $$select what, code from outcome order by what$$,
    $$values ('blank name', 'PQ008'), ('failed step replayed', 'PQ004'),
             ('idempotency conflict', 'PQ006'), ('input too large', 'PQ007'),
             ('stale token', 'PQ003'), ('zero lease', 'PQ008')$$,
    'every error kept its SQLSTATE');

-- TEST: no look-alike ran, and the temporary tables were never touched
select is_empty($$select lookalike, run_as, context from evil.calls$$, 'no look-alike of schema evil ran');
select is_empty(
    $$select 'workflows' from pg_temp.workflows union all select 'steps' from pg_temp.steps
      union all select 'workers' from pg_temp.workers$$,
    'the temporary look-alike tables are empty');

-- TEST: the control: code that does not pin its search_path runs every look-alike
set local role pgqrs_test_evil_app;
set local search_path = pg_temp, evil, public, pg_catalog;
select evil.probe() \gset
reset search_path;
reset role;
select set_eq(
    $$select distinct lookalike from evil.calls$$,
    $$select p.oid::regprocedure::text from pg_proc p
       where p.pronamespace = 'evil'::regnamespace and p.prokind = 'f'
         and p.proname not in ('ran', 'probe')$$,
    'the control: evil.probe() ran every look-alike');

select * from finish();
rollback;
