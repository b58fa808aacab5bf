begin;
select plan(3);

-- Each setting is there for a cost measured by make bench (docs/performance.md, figures 7 and
-- 8); the plans themselves are checked in tests/py/test_claim_cost.py.
create temp table config as
    select pg_catalog.unnest(p.proconfig) as setting
      from pg_catalog.pg_proc p
     where p.oid = 'pgqrs.claim(text, uuid, integer, double precision)'::regprocedure;

-- TEST: the claim walks its indexes in order instead of sorting a whole queue
select ok(exists (select from config where setting = 'enable_sort=off'), 'enable_sort = off');
-- TEST: a plan costed at "disabled" is never JIT-compiled (60-120 ms a claim)
select ok(exists (select from config where setting = 'jit=off'), 'jit = off');
-- TEST: each statement is planned once per session, not at every claim on a large table
select ok(exists (select from config where setting = 'plan_cache_mode=force_generic_plan'),
          'plan_cache_mode = force_generic_plan');

select * from finish();
rollback;
