begin;
select plan(9);

-- The three-role setup of docs/security.md, in the variant for an existing install: the schema
-- was installed by a superuser (the test database's), and ownership of everything in it is
-- handed to a NOLOGIN owner role that is not a superuser. The application role gets USAGE on the
-- schema and EXECUTE on the API functions, nothing else.
create role pgqrs_test_owner nologin;
create role pgqrs_test_owned_app nologin;

-- The statements of docs/security.md ("Handing an existing install to the owner"), then the
-- application role's grants. pg_prove runs two files at once, and these statements take
-- ACCESS EXCLUSIVE locks on the tables and update catalog rows that other files also update
-- (GRANT ... ON FUNCTION): so they run in a subtransaction that gives up after 100 ms of waiting
-- and is tried again, rather than wait while holding locks (which could deadlock).
do $$
declare
    v_sql   text;
    v_fn    regprocedure;
    v_tries integer := 0;
begin
    loop
        begin
            perform pg_catalog.set_config('lock_timeout', '100ms', true);

            for v_sql in
                select format('alter schema %I owner to pgqrs_test_owner', n.nspname)
                  from pg_catalog.pg_namespace n where n.nspname = 'pgqrs'
                union all
                select format('alter table %s owner to pgqrs_test_owner', c.oid::regclass)
                  from pg_catalog.pg_class c
                 where c.relnamespace = 'pgqrs'::regnamespace
                   and c.relkind in ('r', 'p', 'v', 'm', 'f')
                union all
                select format('alter routine %s owner to pgqrs_test_owner', p.oid::regprocedure)
                  from pg_catalog.pg_proc p where p.pronamespace = 'pgqrs'::regnamespace
            loop
                execute v_sql;
            end loop;

            execute 'grant usage on schema pgqrs to pgqrs_test_owned_app';
            for v_fn in
                select p.oid from pg_catalog.pg_proc p
                 where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
            loop
                execute format('grant execute on function %s to pgqrs_test_owned_app', v_fn);
            end loop;

            perform pg_catalog.set_config('lock_timeout', '0', true);
            exit;
        exception when lock_not_available or deadlock_detected then
            v_tries := v_tries + 1;
            if v_tries >= 300 then
                raise;
            end if;
            perform pg_catalog.pg_sleep(0.01 + 0.04 * pg_catalog.random());
        end;
    end loop;
end
$$;

-- TEST: the owner is an ordinary role: no superuser, no login, no attribute that bypasses checks
select ok(not r.rolsuper and not r.rolcanlogin and not r.rolbypassrls and not r.rolcreaterole,
    'pgqrs_test_owner is NOLOGIN and not a superuser')
  from pg_roles r where r.rolname = 'pgqrs_test_owner';

-- TEST: it owns the schema and every table, index, function and type in it
select is(n.nspowner::regrole::text, 'pgqrs_test_owner', 'it owns schema pgqrs')
  from pg_namespace n where n.nspname = 'pgqrs';
select is_empty(
    $$select c.oid::regclass::text from pg_class c
       where c.relnamespace = 'pgqrs'::regnamespace and c.relowner <> 'pgqrs_test_owner'::regrole
      union all
      select p.oid::regprocedure::text from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace and p.proowner <> 'pgqrs_test_owner'::regrole
      union all
      select t.oid::regtype::text from pg_type t
       where t.typnamespace = 'pgqrs'::regnamespace and t.typowner <> 'pgqrs_test_owner'::regrole$$,
    'it owns every relation, function and type in the schema');

-- TEST: the privileges moved with the objects: PUBLIC still has nothing, the private functions
-- are still granted to nobody
select is_empty(
    $$select p.oid::regprocedure, a.grantee from pg_proc p, aclexplode(p.proacl) a
       where p.pronamespace = 'pgqrs'::regnamespace
         and (a.grantee = 0 or (p.proname ~ '^_' and a.grantee <> p.proowner))$$,
    'no function is granted to PUBLIC, no private one to anyone');

set local role pgqrs_test_owned_app;

-- TEST: the application role drives a workflow through the SECURITY DEFINER functions, which
-- now run as the non-superuser owner
select workflow_id from pgqrs.create_workflow('wf-owned', '{"n": 1}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-owned', 30) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '{"rows": 3}') \gset
select pgqrs.complete_workflow(:'workflow_id', :token, '"done"') \gset
select is(w.status || ' ' || w.output::text, 'SUCCESS "done"', 'the workflow completed')
  from pgqrs.get_workflow(:'workflow_id') w;
select is(s.status, 'SUCCESS', 'with its step') from pgqrs.list_steps(:'workflow_id') s;
select throws_ok('select 1 from pgqrs.workflows', '42501', null,
    'the application role still cannot read the table itself');

reset role;

-- TEST: those functions run with the owner's privileges, not the caller's nor the installer's:
-- once the owner gives up SELECT on pgqrs.steps, list_steps fails for the application role
revoke select on pgqrs.steps from pgqrs_test_owner;
set local role pgqrs_test_owned_app;
select throws_ok(format('select * from pgqrs.list_steps(%L)', :'workflow_id'), '42501', null,
    'list_steps runs as pgqrs_test_owner');
select lives_ok(format('select * from pgqrs.get_workflow(%L)', :'workflow_id'),
    'get_workflow, which does not read steps, still works');
reset role;

select * from finish();
rollback;
