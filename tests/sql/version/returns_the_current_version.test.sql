begin;
select plan(1);

-- TEST: version() is the version of the installed SQL (after an upgrade too)
select is(pgqrs.version(), '0.2.0', 'version 0.2.0');

select * from finish();
rollback;
