begin;
select plan(2);

-- TEST: every pgqrs function runs with search_path = pg_catalog, pg_temp
select ok((select count(*) from pg_proc where pronamespace = 'pgqrs'::regnamespace) > 0,
    'schema pgqrs has functions');
select is_empty(
    $$select p.oid::regprocedure
        from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace
         and not coalesce(p.proconfig @> array['search_path=pg_catalog, pg_temp'], false)$$,
    'no function without the pinned search_path');

select * from finish();
rollback;
