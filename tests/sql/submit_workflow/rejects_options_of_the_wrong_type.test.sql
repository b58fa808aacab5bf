begin;
select plan(11);

-- TEST: an option value of the wrong type or out of range raises PQ008
select throws_ok($$select pgqrs.submit_workflow('wf-bad-type', '{}', '{"id": "nope"}')$$,
    'PQ008', null, 'id not a uuid');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-type', '{}', '{"queue": 3}')$$,
    'PQ008', null, 'queue neither a boolean nor a queue name');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-type', '{}', '{"run_at": "tomorrow-ish"}')$$,
    'PQ008', null, 'run_at not a time');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-type', '{}', '{"deadline": 12}')$$,
    'PQ008', null, 'deadline a number');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-type', '{}', '{"max_attempts": 1.5}')$$,
    'PQ008', null, 'max_attempts not an integer');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-type', '{}', '{"max_recoveries": "x"}')$$,
    'PQ008', null, 'max_recoveries not an integer');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-type', '{}', '{"timeout_seconds": 0}')$$,
    'PQ008', null, 'timeout_seconds 0');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-type', '{}', '{"timeout_seconds": "NaN"}')$$,
    'PQ008', null, 'timeout_seconds NaN');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-type', '{}', '{"timeout_seconds": 1e300}')$$,
    'PQ008', null, 'timeout_seconds out of range');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-type', '{}', '{"retry_backoff_seconds": "fast"}')$$,
    'PQ008', null, 'retry_backoff_seconds not a number');
select is((select count(*) from pgqrs.workflows where name = 'wf-bad-type'), 0::bigint, 'nothing created');

select * from finish();
rollback;
