begin;
select plan(20);

select pgqrs_test.set_clock() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a bad name, or inputs that are not an array, raise PQ008
select throws_ok($$select pgqrs.start_workflows(null, '[1]')$$, 'PQ008', null, 'NULL name');
select throws_ok($$select pgqrs.start_workflows(' ', '[1]')$$, 'PQ008', null, 'blank name');
select throws_ok($$select pgqrs.start_workflows('wf', null)$$, 'PQ008', null, 'NULL inputs');
select throws_ok($$select pgqrs.start_workflows('wf', '{"a": 1}')$$, 'PQ008', null, 'an object');
select throws_ok($$select pgqrs.start_workflows('wf', '1')$$, 'PQ008', null, 'a number');
-- TEST: over 100000 items raises PQ008
select throws_ok($$select pgqrs.start_workflows('wf', (select jsonb_agg(1) from generate_series(1, 100001)))$$,
    'PQ008', 'pgqrs: at most 100000 workflows per call, got 100001', 'too many');
-- TEST: keys of another length, or a blank or oversized key, raise PQ008
select throws_ok($$select pgqrs.start_workflows('wf', '[1, 2]', array['k1'])$$, 'PQ008', null, 'fewer keys');
select throws_ok($$select pgqrs.start_workflows('wf', '[1]', array['k1', 'k2'])$$, 'PQ008', null, 'more keys');
select throws_ok($$select pgqrs.start_workflows('wf', '[1]', '{}'::text[])$$, 'PQ008', null, 'no keys for one input');
select throws_ok($$select pgqrs.start_workflows('wf', '[1]', array[' '])$$, 'PQ008', null, 'blank key');
select throws_ok(format('select pgqrs.start_workflows(%L, %L, array[%L])', 'wf', '[1]', repeat('k', 256)),
    'PQ008', null, 'key too long');
-- TEST: options that name one workflow, queue false, or bad options raise PQ008
select throws_ok($$select pgqrs.start_workflows('wf', '[1]', null, '{"id": "01a00000-0000-7000-8000-000000000000"}')$$, 'PQ008', null, 'id');
select throws_ok($$select pgqrs.start_workflows('wf', '[1]', null, '{"idempotency_key": "k"}')$$, 'PQ008', null, 'idempotency_key');
select throws_ok($$select pgqrs.start_workflows('wf', '[1]', null, '{"parent_id": "01a00000-0000-7000-8000-000000000000"}')$$, 'PQ008', null, 'parent_id');
select throws_ok($$select pgqrs.start_workflows('wf', '[1]', null, '{"debounce_key": "d", "debounce_seconds": 5}')$$, 'PQ008', null, 'debounce');
select throws_ok($$select pgqrs.start_workflows('wf', '[1]', null, '{"queue": false}')$$, 'PQ008', null, 'queue false');
select throws_ok($$select pgqrs.start_workflows('wf', '[1]', null, '{"priority": 1001}')$$, 'PQ008', null, 'priority out of range');
-- TEST: an input over the payload limit raises PQ007, one nested too deep PQ013
select throws_ok(format('select pgqrs.start_workflows(%L, jsonb_build_array(1, pgqrs_test.big_string(%s)))',
                        'wf', pgqrs._max_payload_bytes() + 1),
    'PQ007', null, 'an oversized input');
select throws_ok(format('select pgqrs.start_workflows(%L, jsonb_build_array(1, pgqrs_test.nested(%s)))', 'wf', 257),
    'PQ013', null, 'an input nested too deep');
-- TEST: nothing was written
select is(pgqrs_test.tables_digest(), :'before', 'no pgqrs row changed');

select * from finish();
rollback;
