begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select set_config('pgqrs.max_payload_bytes', '1000', true) \gset
select pgqrs.fail_step(:'workflow_id', 'parse', :token, jsonb_build_object('message', repeat('m', 5000))) \gset

-- TEST: retrying with the same oversized error matches its stored, cut-down form
select lives_ok(
    format('select pgqrs.fail_step(%L, %L, %s, %L)', :'workflow_id', 'parse', :token,
           jsonb_build_object('message', repeat('m', 5000))),
    'the repeat is accepted');
select is(s.error ->> 'truncated', 'true', 'the stored error is still the cut-down form')
  from pgqrs_test.step(:'workflow_id', 'parse') s;

select * from finish();
rollback;
