begin;
select plan(5);

-- TEST: PUBLIC has no privilege on any pgqrs table, sequence or column
select is_empty(
    $$select c.oid::regclass, a.privilege_type
        from pg_class c,
             aclexplode(coalesce(c.relacl,
                                 acldefault((case c.relkind when 'S' then 's' else 'r' end)::"char", c.relowner))) a
       where c.relnamespace = 'pgqrs'::regnamespace
         and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
         and a.grantee = 0$$,
    'no table grants PUBLIC anything');
select is_empty(
    $$select c.oid::regclass, t.attname
        from pg_class c
        join pg_attribute t on t.attrelid = c.oid, aclexplode(t.attacl) a
       where c.relnamespace = 'pgqrs'::regnamespace and a.grantee = 0$$,
    'no column grants PUBLIC anything');
-- TEST: PUBLIC has neither USAGE nor CREATE on schema pgqrs
select is_empty(
    $$select a.privilege_type
        from pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n'::"char", n.nspowner))) a
       where n.nspname = 'pgqrs' and a.grantee = 0$$,
    'the schema grants PUBLIC nothing');
select ok(not has_schema_privilege('public', 'pgqrs', 'USAGE'), 'no USAGE for PUBLIC');
select ok(not has_schema_privilege('public', 'pgqrs', 'CREATE'), 'no CREATE for PUBLIC');

select * from finish();
rollback;
