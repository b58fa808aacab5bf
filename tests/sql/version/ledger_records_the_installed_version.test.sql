begin;
select plan(2);

-- TEST: the ledger holds a row for the installed script
select ok(exists (select from pgqrs.ledger where version = '0.1.0'), 'the ledger has 0.1.0');
select ok(exists (select from pgqrs.ledger where version = pgqrs.version()), 'the ledger has version()');

select * from finish();
rollback;
