begin;
select plan(6);

-- An application role set up as docs/security.md says: USAGE on the schema and EXECUTE on the
-- API functions, nothing else. Every check below loops over every relation of schema pgqrs, so
-- a table added later is covered without touching this file.
create role pgqrs_test_app_tables nologin;
grant usage on schema pgqrs to pgqrs_test_app_tables;
do $$
declare
    v_fn regprocedure;
begin
    for v_fn in
        select p.oid from pg_proc p where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
    loop
        execute format('grant execute on function %s to pgqrs_test_app_tables', v_fn);
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

-- One statement of each kind per table, on its first column that is not an identity or
-- generated column (UPDATE of an identity column GENERATED ALWAYS fails with 428C9 before the
-- privilege check).
create temp table statements as
select c.oid::regclass as tbl, s.kind, format(s.sql, c.oid::regclass, quote_ident(a.attname)) as sql
  from pg_class c
  join pg_attribute a on a.attrelid = c.oid
   and a.attnum = (select min(a2.attnum) from pg_attribute a2
                    where a2.attrelid = c.oid and a2.attnum > 0 and not a2.attisdropped
                      and a2.attidentity = '' and a2.attgenerated = '')
  cross join (values
      ('SELECT',   'select %2$s from %1$s'),
      ('LOCK',     'select %2$s from %1$s for key share'),
      ('INSERT',   'insert into %1$s default values'),
      ('UPDATE',   'update %1$s set %2$s = %2$s'),
      ('DELETE',   'delete from %1$s'),
      ('TRUNCATE', 'truncate %1$s')) as s(kind, sql)
 where c.relnamespace = 'pgqrs'::regnamespace and c.relkind in ('r', 'p');
grant select on statements to public;

-- TEST: the loop below has something to check: the four tables at least
select ok((select count(distinct tbl) from statements) >= 4, 'schema pgqrs has its tables');

set local role pgqrs_test_app_tables;

-- TEST: the role holds no privilege of any kind on any table, sequence or view of the schema
select is_empty(
    $$select c.oid::regclass, p.privilege
        from pg_class c,
             unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES',
                          'TRIGGER']) as p(privilege)
       where c.relnamespace = 'pgqrs'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
         and has_table_privilege(c.oid, p.privilege)$$,
    'has_table_privilege: nothing on any table');
select is_empty(
    $$select c.oid::regclass from pg_class c
       where c.relnamespace = 'pgqrs'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
         and has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')$$,
    'has_any_column_privilege: nothing on any column');
select is_empty(
    $$select c.oid::regclass from pg_class c
       where c.relnamespace = 'pgqrs'::regnamespace
         and case when c.relkind = 'S' then has_sequence_privilege(c.oid, 'USAGE, SELECT, UPDATE') end$$,
    'has_sequence_privilege: nothing on any sequence');

-- TEST: every SELECT, SELECT FOR KEY SHARE, INSERT, UPDATE, DELETE and TRUNCATE on every
-- table fails with 42501 (insufficient_privilege), before any row is read or written
select is_empty(
    $$select s.tbl, s.kind, r.code
        from statements s, lateral (select pg_temp.sqlstate_of(s.sql) as code) r
       where r.code is distinct from '42501'$$,
    'every statement on every table raises 42501');
select is(
    (select count(*)::integer from statements),
    (select count(distinct tbl)::integer * 6 from statements),
    'six statements per table were tried');

reset role;

select * from finish();
rollback;
