begin;
select plan(17);

select pgqrs_test.set_clock() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a blank or oversized queue name raises PQ008
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"queue": " "}')$$, 'PQ008', null, 'blank queue');
select throws_ok(format('select pgqrs.submit_workflow(%L, %L, %L)', 'wf-q-bad', '{}',
                        jsonb_build_object('queue', repeat('q', 256))), 'PQ008', null, 'queue name too long');
-- TEST: a priority outside -1000..1000 or not an integer raises PQ008
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"priority": 1001}')$$, 'PQ008', null, 'priority 1001');
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"priority": -1001}')$$, 'PQ008', null, 'priority -1001');
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"priority": 1.5}')$$, 'PQ008', null, 'priority 1.5');
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"priority": "high"}')$$, 'PQ008', null, 'priority a word');
-- TEST: a blank or oversized concurrency key raises PQ008
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"concurrency_key": ""}')$$, 'PQ008', null, 'blank key');
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"concurrency_key": null}')$$, 'PQ008', null, 'null key');
select throws_ok(format('select pgqrs.submit_workflow(%L, %L, %L)', 'wf-q-bad', '{}',
                        jsonb_build_object('concurrency_key', repeat('k', 256))), 'PQ008', null, 'key too long');
-- TEST: priority or concurrency_key without a queue raise PQ008
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"queue": false, "priority": 1}')$$, 'PQ008', null, 'priority, queue false');
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"queue": false, "concurrency_key": "k"}')$$, 'PQ008', null, 'key, queue false');
-- TEST: debounce needs both a key and seconds in (0, 2678400], and a queue
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"debounce_key": "d"}')$$, 'PQ008', null, 'key without seconds');
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"debounce_seconds": 5}')$$, 'PQ008', null, 'seconds without key');
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"debounce_key": "d", "debounce_seconds": 0}')$$, 'PQ008', null, 'seconds 0');
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"debounce_key": "d", "debounce_seconds": 2678401}')$$, 'PQ008', null, 'seconds over 31 days');
select throws_ok($$select pgqrs.submit_workflow('wf-q-bad', '{}', '{"queue": false, "debounce_key": "d", "debounce_seconds": 5}')$$, 'PQ008', null, 'debounce, queue false');
-- TEST: nothing was written
select is(pgqrs_test.tables_digest(), :'before', 'no pgqrs row changed');

select * from finish();
rollback;
