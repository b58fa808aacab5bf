begin;
select plan(6);

-- A monitoring role set up as docs/security.md says: USAGE on the schema and EXECUTE on the
-- functions that only read (the API functions that are not VOLATILE, plus now()).
create role pgqrs_test_monitor_writes nologin;
grant usage on schema pgqrs to pgqrs_test_monitor_writes;
do $$
declare
    v_fn regprocedure;
begin
    for v_fn in
        select p.oid from pg_catalog.pg_proc p
         where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
           and (p.provolatile <> 'v' or p.proname = 'now')
    loop
        execute format('grant execute on function %s to pgqrs_test_monitor_writes', v_fn);
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

-- One call per function the role must not run: every private function, and every VOLATILE
-- function but now() (the API functions that write), every argument a NULL of its type.
create temp table forbidden_calls as
select p.oid::regprocedure as fn, p.proname::text as name,
       format('select * from pgqrs.%I(%s)', p.proname,
              (select coalesce(string_agg(format('null::%s', format_type(t.typ, null)), ', '
                                          order by t.ord), '')
                 from unnest(p.proargtypes) with ordinality as t(typ, ord))) as sql
  from pg_proc p
 where p.pronamespace = 'pgqrs'::regnamespace
   and (p.proname ~ '^_' or (p.provolatile = 'v' and p.proname <> 'now'));
grant select on forbidden_calls to public;

-- TEST: every API function that writes is among them: the grant loop's VOLATILE test keeps
-- each one from the role
select is_empty(
    $$select f from unnest(array['create_workflow', 'acquire_workflow', 'acquire_step',
                                 'complete_step', 'fail_step', 'complete_workflow', 'fail_workflow',
                                 'heartbeat', 'release_workflow', 'start_workflow',
                                 'register_worker', 'worker_heartbeat', 'claim_workflows',
                                 'stop_worker', 'revive_workflow']) f
      except
      select c.name from forbidden_calls c$$,
    'every writing API function is VOLATILE');

set local role pgqrs_test_monitor_writes;

-- TEST: the role has EXECUTE on none of them ...
select is_empty(
    $$select c.fn from forbidden_calls c where has_function_privilege(c.fn, 'EXECUTE')$$,
    'has_function_privilege: no writing or private function');
-- TEST: ... and calling any of them fails with 42501 (insufficient_privilege) before it runs
select is_empty(
    $$select c.fn, r.code
        from forbidden_calls c, lateral (select pg_temp.sqlstate_of(c.sql) as code) r
       where r.code is distinct from '42501'$$,
    'every writing or private function raises 42501 when called');
select throws_ok($$select pgqrs.create_workflow('wf-monitor', '{}')$$, '42501', null,
    'create_workflow, with real arguments, raises 42501');

-- TEST: it holds no privilege on any table, and cannot read one
select is_empty(
    $$select c.oid::regclass from pg_class c
       where c.relnamespace = 'pgqrs'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
         and (has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
              or has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))$$,
    'no privilege on any table');
select is_empty(
    $$select c.oid::regclass, r.code
        from pg_class c, lateral (select pg_temp.sqlstate_of(format('select 1 from %s', c.oid::regclass)) as code) r
       where c.relnamespace = 'pgqrs'::regnamespace and c.relkind in ('r', 'p')
         and r.code is distinct from '42501'$$,
    'selecting from any table raises 42501');

reset role;

select * from finish();
rollback;
