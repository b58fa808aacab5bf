begin;
select plan(1);

-- TEST: version() is the version of the installed SQL
select is(pgqrs.version(), '0.1.0', 'version 0.1.0');

select * from finish();
rollback;
