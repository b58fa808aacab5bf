begin;
select plan(3);

-- TEST: every API function but now(), version() and min_client_version() is SECURITY DEFINER ...
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
         and p.proname not in ('now', 'version', 'min_client_version') and not p.prosecdef$$,
    'API functions are SECURITY DEFINER');
-- TEST: ... and those three (they touch no table) and the private functions are not
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace
         and p.proname in ('now', 'version', 'min_client_version') and p.prosecdef$$,
    'now(), version() and min_client_version() are SECURITY INVOKER');
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace and p.proname ~ '^_' and p.prosecdef$$,
    'private functions are SECURITY INVOKER');

select * from finish();
rollback;
