begin;
select plan(12);

-- An application role set up as docs/sql-api.md ("Roles") says: USAGE on the schema and EXECUTE
-- on the API functions, nothing else.
create role pgqrs_test_worker_app nologin;
grant usage on schema pgqrs to pgqrs_test_worker_app;
do $$
declare
    v_fn regprocedure;
begin
    for v_fn in
        select p.oid from pg_proc p where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
    loop
        execute format('grant execute on function %s to pgqrs_test_worker_app', v_fn);
    end loop;
end
$$;
set local role pgqrs_test_worker_app;

-- TEST: the role runs a worker through the API: register, start, claim, record, finish, stop
select is(pgqrs.register_worker('app-worker', array['wf'], 2, 'host-1', 1), 0, 'register_worker');
select workflow_id from pgqrs.start_workflow('wf', '{"n": 1}') \gset
select token, recovered from pgqrs.claim_workflows('app-worker', 1, 30) \gset
select is(:token::bigint, 1::bigint, 'claim_workflows');
select lives_ok($$select pgqrs.worker_heartbeat('app-worker')$$, 'worker_heartbeat');
select lives_ok(format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '1'),
    'complete_step');
select lives_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, '"done"'),
    'complete_workflow');
select is(g.status, 'SUCCESS', 'get_workflow') from pgqrs.get_workflow(:'workflow_id') g;
select is(l.name, 'app-worker', 'list_workers') from pgqrs.list_workers() l where l.name = 'app-worker';
select is(c.count, 1::bigint, 'workflow_counts') from pgqrs.workflow_counts() c where c.name = 'wf';
select is(l.id, :'workflow_id'::uuid, 'list_workflows') from pgqrs.list_workflows(p_name => 'wf') l;
select is(pgqrs.stop_worker('app-worker'), 0, 'stop_worker');

-- TEST: it cannot touch the workers table directly
select throws_ok('select * from pgqrs.workers', '42501', null, 'no SELECT on workers');
select throws_ok($$update pgqrs.workers set stopped_at = null$$, '42501', null, 'no UPDATE on workers');

reset role;

select * from finish();
rollback;
