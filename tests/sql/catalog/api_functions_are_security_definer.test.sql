begin;
select plan(3);

-- TEST: every API function but now() and version() is SECURITY DEFINER ...
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
         and p.proname not in ('now', 'version') and not p.prosecdef$$,
    'API functions are SECURITY DEFINER');
-- TEST: ... and now(), version() and the private functions are not
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace and p.proname in ('now', 'version') and p.prosecdef$$,
    'now() and version() are SECURITY INVOKER');
select is_empty(
    $$select p.oid::regprocedure from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace and p.proname ~ '^_' and p.prosecdef$$,
    'private functions are SECURITY INVOKER');

select * from finish();
rollback;
