begin;
select plan(3);

-- TEST: the schema, every table and every function has a COMMENT
select ok(obj_description('pgqrs'::regnamespace, 'pg_namespace') is not null, 'the schema');
select is_empty(
    $$select c.oid::regclass from pg_class c
       where c.relnamespace = 'pgqrs'::regnamespace and c.relkind in ('r', 'p')
         and obj_description(c.oid, 'pg_class') is null$$,
    'every table');
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace and obj_description(p.oid, 'pg_proc') is null$$,
    'every function');

select * from finish();
rollback;
