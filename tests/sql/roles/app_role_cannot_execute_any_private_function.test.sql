begin;
select plan(5);

-- An application role set up as docs/security.md says: USAGE on the schema and EXECUTE on the
-- API functions, nothing else. The checks loop over every function whose name starts with an
-- underscore, so a private function added later is covered without touching this file.
create role pgqrs_test_app_private nologin;
grant usage on schema pgqrs to pgqrs_test_app_private;
do $$
declare
    v_fn regprocedure;
begin
    for v_fn in
        select p.oid from pg_proc p where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
    loop
        execute format('grant execute on function %s to pgqrs_test_app_private', v_fn);
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

-- One call per private function, every argument a NULL of its type.
create temp table private_calls as
select p.oid::regprocedure as fn,
       format('select %I.%I(%s)', n.nspname, p.proname,
              (select coalesce(string_agg(format('null::%s', format_type(t.typ, null)), ', '
                                          order by t.ord), '')
                 from unnest(p.proargtypes) with ordinality as t(typ, ord))) as sql
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
 where n.nspname = 'pgqrs' and p.proname ~ '^_';
grant select on private_calls to public;

-- TEST: there are private functions to check
select ok((select count(*) from private_calls) >= 10, 'schema pgqrs has its private functions');
-- TEST: nobody at all holds EXECUTE on them: no grant to any role (the owner's implicit
-- privilege aside)
select is_empty(
    $$select p.oid::regprocedure, a.grantee::regrole
        from pg_proc p, aclexplode(p.proacl) a
       where p.pronamespace = 'pgqrs'::regnamespace and p.proname ~ '^_'
         and a.grantee <> p.proowner$$,
    'no private function is granted to anyone but its owner');

set local role pgqrs_test_app_private;

-- TEST: the role has no EXECUTE on any of them ...
select is_empty(
    $$select c.fn from private_calls c where has_function_privilege(c.fn, 'EXECUTE')$$,
    'has_function_privilege: no private function');
-- TEST: ... and calling any of them fails with 42501 (insufficient_privilege) before it runs
select is_empty(
    $$select c.fn, r.code
        from private_calls c, lateral (select pg_temp.sqlstate_of(c.sql) as code) r
       where r.code is distinct from '42501'$$,
    'every private function raises 42501 when called');
-- TEST: while the API functions that call them work for the role
select ok(
    (select w.created from pgqrs.create_workflow('wf-private', '{}') w),
    'create_workflow, which calls _create_workflow and _check_text, works');

reset role;

select * from finish();
rollback;
