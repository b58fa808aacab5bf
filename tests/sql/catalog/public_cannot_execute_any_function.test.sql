begin;
select plan(3);

-- TEST: no pgqrs function has a NULL ACL, which would mean the default: EXECUTE for PUBLIC
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace and p.proacl is null$$,
    'every function has an explicit ACL');
-- TEST: no ACL grants anything to PUBLIC (grantee 0)
select is_empty(
    $$select p.oid::regprocedure, a.privilege_type
        from pg_proc p, aclexplode(p.proacl) a
       where p.pronamespace = 'pgqrs'::regnamespace and a.grantee = 0$$,
    'no function grants PUBLIC anything');
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace
         and has_function_privilege('public', p.oid, 'EXECUTE')$$,
    'PUBLIC can execute no function');

select * from finish();
rollback;
