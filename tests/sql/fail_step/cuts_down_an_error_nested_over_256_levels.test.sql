begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset

-- TEST: recording a failure never fails: an error nested more than 256 levels deep is cut down
-- to its type and message, marked truncated
select pgqrs.fail_step(:'workflow_id', 'fetch', :token,
    jsonb_build_object('type', 'ValueError', 'message', 'boom', 'detail', pgqrs_test.nested(257))) \gset
select is(s.error, '{"type": "ValueError", "message": "boom", "traceback": null, "truncated": true}'::jsonb,
          'cut down') from pgqrs_test.step(:'workflow_id', 'fetch') s;
-- TEST: an error 256 levels deep is stored as given
select pgqrs.fail_step(:'workflow_id', 'load', :token,
    jsonb_build_object('type', 'ValueError', 'message', 'boom', 'detail', pgqrs_test.nested(255))) \gset
select is(s.error -> 'detail', pgqrs_test.nested(255), 'kept whole') from pgqrs_test.step(:'workflow_id', 'load') s;
-- TEST: a deep value that is not an object becomes the message, as text
select pgqrs.fail_step(:'workflow_id', 'parse', :token, pgqrs_test.nested(300)) \gset
select is(s.error, jsonb_build_object('type', null, 'message', pgqrs_test.nested(300)::text), 'its text')
  from pgqrs_test.step(:'workflow_id', 'parse') s;

select * from finish();
rollback;
