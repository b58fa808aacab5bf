begin;
select plan(3);
select pgqrs_test.prune_lock();

select * from pgqrs.prune(interval '1 day') \gset

-- TEST: the lock is the documented key: pg_locks shows it as classid 514012933, objid
-- 1959091855 (tests/py/test_retention.py shows that another transaction's prune is busy while
-- it is held)
select is(pgqrs._prune_lock_key(), (514012933::bigint << 32) | 1959091855, 'the key in two halves');
-- TEST: after prune returns, this transaction still holds it, exclusively
select results_eq(
    $$select l.classid::bigint, l.objid::bigint, l.objsubid::int, l.mode, l.granted
        from pg_locks l
       where l.locktype = 'advisory' and l.pid = pg_backend_pid()$$,
    $$values (514012933::bigint, 1959091855::bigint, 1, 'ExclusiveLock'::text, true)$$,
    'one exclusive advisory lock on the key');
-- TEST: the transaction that holds it may prune again: it is not busy for itself
select is(p.busy, false, 'not busy in its own transaction') from pgqrs.prune(interval '1 day') p;

select * from finish();
rollback;
