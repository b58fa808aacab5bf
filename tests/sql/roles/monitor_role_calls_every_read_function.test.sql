begin;
select plan(19);

-- A monitoring role set up as docs/security.md says: USAGE on the schema and EXECUTE on the
-- functions that only read (the API functions that are not VOLATILE, plus now()).
create role pgqrs_test_monitor_reads nologin;
grant usage on schema pgqrs to pgqrs_test_monitor_reads;
do $$
declare
    v_fn regprocedure;
begin
    for v_fn in
        select p.oid from pg_catalog.pg_proc p
         where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
           and (p.provolatile <> 'v' or p.proname = 'now')
    loop
        execute format('grant execute on function %s to pgqrs_test_monitor_reads', v_fn);
    end loop;
end
$$;

-- sqlstate_of(sql): runs sql as the current role; its SQLSTATE, or NULL when it succeeded.
create function pg_temp.sqlstate_of(p_sql text) returns text
language plpgsql as $$
begin
    execute p_sql;
    return null;
exception when others then
    return sqlstate;
end
$$;

-- Something to look at, made as the test's superuser: a workflow claimed by a worker, with a
-- finished step.
select workflow_id, token from pgqrs_test.claimed_workflow('worker-monitor', p_name => 'wf-monitor') \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'fetch');

-- TEST: the loop granted (at least) every function a dashboard needs
select is_empty(
    $$select f from unnest(array['get_workflow', 'list_steps', 'list_workers', 'workflow_counts',
                                 'list_workflows', 'error_codes', 'version',
                                 'now', 'describe_workflow', 'list_step_attempts',
                                 'get_event', 'list_workflows_page', 'notify_tag',
                                 'notify_key', 'list_schedules', 'workflow_tree',
                                 'list_messages', 'list_events', 'workflow_throughput',
                                 'stuck_workflows', 'queue_depth', 'trace_context']) f
       where not exists (select 1 from pg_proc p
                          where p.pronamespace = 'pgqrs'::regnamespace and p.proname = f
                            and has_function_privilege('pgqrs_test_monitor_reads', p.oid, 'EXECUTE'))$$,
    'the read functions are granted');

set local role pgqrs_test_monitor_reads;

-- TEST: each read function answers the monitoring role
select is(w.status, 'RUNNING', 'get_workflow') from pgqrs.get_workflow(:'workflow_id') w;
select is(s.step_key, 'fetch', 'list_steps') from pgqrs.list_steps(:'workflow_id') s;
select is(k.running, array[:'workflow_id'::uuid], 'list_workers')
  from pgqrs.list_workers() k where k.name = 'worker-monitor';
select is(c.count, 1::bigint, 'workflow_counts')
  from pgqrs.workflow_counts() c where c.name = 'wf-monitor';
select is(l.id, :'workflow_id'::uuid, 'list_workflows') from pgqrs.list_workflows(p_name => 'wf-monitor') l;
select ok((select count(*) from pgqrs.error_codes()) >= 9, 'error_codes');
select ok(pgqrs.version() is not null, 'version');
select ok(pgqrs.now() is not null, 'now');
select is(e.found, false, 'get_event') from pgqrs.get_event(:'workflow_id', 'progress') e;
select is(t.depth, 0, 'workflow_tree') from pgqrs.workflow_tree(:'workflow_id') t;
select is_empty(format('select * from pgqrs.list_messages(%L)', :'workflow_id'), 'list_messages');
select is_empty(format('select * from pgqrs.list_events(%L)', :'workflow_id'), 'list_events');
select is((select sum(created) from pgqrs.workflow_throughput(1440)), 1::numeric,
          'workflow_throughput');
select is_empty('select * from pgqrs.stuck_workflows() where name = ''wf-monitor''',
                'stuck_workflows');
select is(q.running, 1::bigint, 'queue_depth') from pgqrs.queue_depth() q where q.name = 'wf-monitor';
select is(pgqrs.trace_context(:'workflow_id'), null, 'trace_context');

-- TEST: every function granted to the role can be called by it: called with NULL arguments,
-- none raises 42501 (insufficient_privilege); other errors (PQ001, PQ008, ...) are fine
select is_empty(
    $$select p.oid::regprocedure, r.code
        from pg_proc p
        cross join lateral (
            select pg_temp.sqlstate_of(format('select * from pgqrs.%I(%s)', p.proname,
                       (select coalesce(string_agg(format('null::%s', format_type(t.typ, null)), ', '
                                                   order by t.ord), '')
                          from unnest(p.proargtypes) with ordinality as t(typ, ord)))) as code) r
       where p.pronamespace = 'pgqrs'::regnamespace
         and has_function_privilege(p.oid, 'EXECUTE')
         and r.code = '42501'$$,
    'every granted function runs for the role');
-- TEST: and none of them writes: they are all STABLE or IMMUTABLE, but for now()
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace and has_function_privilege(p.oid, 'EXECUTE')
         and p.provolatile = 'v' and p.proname <> 'now'$$,
    'the role can execute no VOLATILE function but now()');

reset role;

select * from finish();
rollback;
