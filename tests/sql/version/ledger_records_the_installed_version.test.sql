begin;
select plan(2);

-- TEST: the newest ledger row is version() (a fresh install has one row, an upgraded database
-- one per script applied)
select is((select l.version from pgqrs.ledger l order by l.applied_at desc, l.version desc limit 1),
    pgqrs.version(), 'the newest ledger row is version()');
select ok(exists (select from pgqrs.ledger where version = pgqrs.version()), 'the ledger has version()');

select * from finish();
rollback;
