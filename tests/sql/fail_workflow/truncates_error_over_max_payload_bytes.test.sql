begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select set_config('pgqrs.max_payload_bytes', '1000', true) \gset

-- TEST: an error over pgqrs.max_payload_bytes is cut down, not refused
select lives_ok(
    format('select pgqrs.fail_workflow(%L, %s, %L)', :'workflow_id', :token,
           jsonb_build_object('type', 'ValueError', 'message', repeat('m', 5000),
                              'traceback', repeat('t', 5000))),
    'recording the oversized failure succeeds');
select is(w.status, 'FAILED', 'the workflow is FAILED') from pgqrs_test.workflow(:'workflow_id') w;
select is(
    w.error,
    jsonb_build_object('type', 'ValueError', 'message', repeat('m', 200),
                       'traceback', null, 'truncated', true),
    'the stored error is the cut-down form')
  from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
