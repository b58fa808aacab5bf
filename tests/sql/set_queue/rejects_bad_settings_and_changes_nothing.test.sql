begin;
select plan(31);

select pgqrs.set_queue('sq-bad', '{"concurrency": 3}') \gset
select pgqrs.set_queue('sq-bad-rate', '{"rate_limit": 10, "rate_period_seconds": 60}') \gset
select pgqrs_test.tables_digest() as before \gset
select md5(string_agg(q::text, ',')) as queues_before from pgqrs.queues q where name = 'sq-bad' \gset

-- TEST: a bad queue name raises PQ008
select throws_ok($$select pgqrs.set_queue(null, '{}')$$, 'PQ008', null, 'NULL name');
select throws_ok($$select pgqrs.set_queue('  ', '{}')$$, 'PQ008', null, 'blank name');
select throws_ok(format('select pgqrs.set_queue(%L, %L)', repeat('q', 256), '{}'), 'PQ008', null,
                 'name over 255 characters');
-- TEST: settings that are not a JSON object, or an unknown key, raise PQ008
select throws_ok($$select pgqrs.set_queue('sq-bad', '[]')$$, 'PQ008', null, 'an array');
select throws_ok($$select pgqrs.set_queue('sq-bad', '4')$$, 'PQ008', null, 'a number');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"concurency": 4}')$$, 'PQ008',
                 'pgqrs: unknown queue setting concurency', 'a misspelt key is named');
-- TEST: every limit out of its range raises PQ008
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"concurrency": 0}')$$, 'PQ008', null, 'concurrency 0');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"concurrency": 100001}')$$, 'PQ008', null, 'concurrency 100001');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"concurrency": -1}')$$, 'PQ008', null, 'concurrency -1');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"worker_concurrency": 0}')$$, 'PQ008', null, 'worker_concurrency 0');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"worker_concurrency": 10001}')$$, 'PQ008', null, 'worker_concurrency 10001');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"rate_limit": 0, "rate_period_seconds": 1}')$$, 'PQ008', null, 'rate_limit 0');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"rate_limit": 100001, "rate_period_seconds": 1}')$$, 'PQ008', null, 'rate_limit 100001');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"rate_limit": 1, "rate_period_seconds": 0}')$$, 'PQ008', null, 'period 0');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"rate_limit": 1, "rate_period_seconds": -5}')$$, 'PQ008', null, 'period negative');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"rate_limit": 1, "rate_period_seconds": 2678401}')$$, 'PQ008', null, 'period over 31 days');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"rate_limit": 1, "rate_period_seconds": "NaN"}')$$, 'PQ008', null, 'period NaN');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"rate_limit": 1, "rate_period_seconds": 1e300}')$$, 'PQ008', null, 'period 1e300');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"key_concurrency": 0}')$$, 'PQ008', null, 'key_concurrency 0');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"key_concurrency": 10001}')$$, 'PQ008', null, 'key_concurrency 10001');
-- TEST: a rate limit needs its period and a period its rate limit
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"rate_limit": 10}')$$, 'PQ008', null, 'rate without period');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"rate_period_seconds": 10}')$$, 'PQ008', null, 'period without rate');
select throws_ok($$select pgqrs.set_queue('sq-bad-rate', '{"rate_period_seconds": null}')$$, 'PQ008', null,
                 'removing only the period of a rate limit');
-- TEST: values of the wrong type raise PQ008
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"concurrency": "four"}')$$, 'PQ008', null, 'concurrency a word');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"concurrency": 1.5}')$$, 'PQ008', null, 'concurrency 1.5');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"concurrency": 1e12}')$$, 'PQ008', null, 'concurrency 1e12');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"paused": "maybe"}')$$, 'PQ008', null, 'paused not a boolean');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"key_concurrency": [1]}')$$, 'PQ008', null, 'key_concurrency an array');
select throws_ok($$select pgqrs.set_queue('sq-bad', '{"rate_limit": 1, "rate_period_seconds": "soon"}')$$, 'PQ008', null, 'period a word');
-- TEST: nothing changed
select is(pgqrs_test.tables_digest(), :'before', 'no pgqrs row changed');
select is(md5(string_agg(q::text, ',')), :'queues_before', 'the queue''s settings are unchanged')
  from pgqrs.queues q where name = 'sq-bad';

select * from finish();
rollback;
