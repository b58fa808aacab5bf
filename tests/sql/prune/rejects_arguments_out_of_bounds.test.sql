begin;
select plan(12);
select pgqrs_test.prune_lock();

-- TEST: the window is an interval in [1 minute, 100 years]: NULL, negative, shorter or longer
-- is PQ008, and so is a bare number (cast to seconds)
select throws_ok($$select * from pgqrs.prune(null)$$, 'PQ008', null, 'NULL window');
select throws_ok($$select * from pgqrs.prune(interval '-1 day')$$, 'PQ008', null, 'negative window');
select throws_ok($$select * from pgqrs.prune(interval '59 seconds')$$, 'PQ008', null, 'under a minute');
select throws_ok($$select * from pgqrs.prune('30')$$, 'PQ008', null, '''30'' is 30 seconds');
select throws_ok($$select * from pgqrs.prune(interval '100 years 1 day')$$, 'PQ008', null, 'over 100 years');
select lives_ok($$select * from pgqrs.prune(interval '1 minute')$$, 'one minute is fine');
select lives_ok($$select * from pgqrs.prune(interval '100 years')$$, '100 years is fine');
-- TEST: the limit is in 1..100000
select throws_ok($$select * from pgqrs.prune(interval '1 day', 0)$$, 'PQ008', null, 'limit 0');
select throws_ok($$select * from pgqrs.prune(interval '1 day', 100001)$$, 'PQ008', null, 'limit 100001');
select throws_ok($$select * from pgqrs.prune(interval '1 day', null)$$, 'PQ008', null, 'limit NULL');
select lives_ok($$select * from pgqrs.prune(interval '1 day', 100000)$$, 'limit 100000 is fine');
-- TEST: include_dead is true or false
select throws_ok($$select * from pgqrs.prune(interval '1 day', 10, null)$$, 'PQ008', null, 'include_dead NULL');

select * from finish();
rollback;
