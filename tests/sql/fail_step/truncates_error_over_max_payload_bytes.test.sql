begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select set_config('pgqrs.max_payload_bytes', '1000', true) \gset

-- TEST: an error over pgqrs.max_payload_bytes is cut down, not refused: type and the first
-- max(200, limit / 8) characters of the message are kept, the rest is dropped
select lives_ok(
    format('select pgqrs.fail_step(%L, %L, %s, %L)', :'workflow_id', 'parse', :token,
           jsonb_build_object('type', 'ValueError', 'message', repeat('m', 5000),
                              'traceback', repeat('t', 5000), 'context', 'dropped')),
    'recording the oversized failure succeeds');
select is(
    s.error,
    jsonb_build_object('type', 'ValueError', 'message', repeat('m', 200),
                       'traceback', null, 'truncated', true),
    'the stored error is the cut-down form')
  from pgqrs_test.step(:'workflow_id', 'parse') s;

select * from finish();
rollback;
