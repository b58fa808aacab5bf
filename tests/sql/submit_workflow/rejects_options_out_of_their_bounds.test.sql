begin;
select plan(8);

select pgqrs_test.set_clock() as t0 \gset

-- TEST: timeout_seconds over ten years, max_recoveries outside [0, 1000] and options that are
-- not a JSON object raise PQ008 ...
select throws_ok($$select pgqrs.submit_workflow('wf-bounds', '{}', '{"timeout_seconds": 315360001}')$$,
    'PQ008', null, 'timeout_seconds 315360001: PQ008');
select throws_ok($$select pgqrs.submit_workflow('wf-bounds', '{}', '{"max_recoveries": 1001}')$$,
    'PQ008', null, 'max_recoveries 1001: PQ008');
select throws_ok($$select pgqrs.submit_workflow('wf-bounds', '{}', '[]')$$,
    'PQ008', null, 'options an array: PQ008');
select throws_ok($$select pgqrs.submit_workflow('wf-bounds', '{}', '"queue"')$$,
    'PQ008', null, 'options a string: PQ008');
-- TEST: ... and so do a bad name or idempotency key, as in create_workflow
select throws_ok(format('select pgqrs.submit_workflow(%L, %L)', repeat('n', 256), '{}'),
    'PQ008', null, 'name of 256 characters: PQ008');
select throws_ok($$select pgqrs.submit_workflow('wf-bounds', '{}', '{"idempotency_key": " "}')$$,
    'PQ008', null, 'blank idempotency key: PQ008');
-- TEST: nothing is created
select is((select count(*) from pgqrs.workflows), 0::bigint, 'nothing created');
-- TEST: the bounds themselves are accepted
select workflow_id from pgqrs.submit_workflow('wf-bounds', '{}', '{"timeout_seconds": 315360000, "max_recoveries": 1000}') \gset
select is((w.deadline_at, w.max_recoveries), (:'t0'::timestamptz + interval '315360000 seconds', 1000),
          'ten years, 1000 recoveries')
  from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
