begin;
select plan(3);

-- Codes written in the source of every pgqrs function but error_codes() itself (whose source
-- is the table under test).
create temp table raised as
    select distinct m[1] as sqlstate
      from pg_proc p, regexp_matches(p.prosrc, '(PQ[0-9]{3})', 'g') m
     where p.pronamespace = 'pgqrs'::regnamespace
       and p.proname <> 'error_codes';

-- TEST: every code a function raises is listed by error_codes(), and nothing else
select ok((select count(*) from raised) > 0, 'the sources raise PQ codes');
select is_empty('select sqlstate from raised except select sqlstate from pgqrs.error_codes()',
    'every raised code is listed');
select is_empty('select sqlstate from pgqrs.error_codes() except select sqlstate from raised',
    'every listed code is raised somewhere');

select * from finish();
rollback;
