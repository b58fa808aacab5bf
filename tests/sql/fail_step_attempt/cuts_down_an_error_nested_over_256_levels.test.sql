begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset

-- TEST: recording a failed attempt never fails: an error nested more than 256 levels deep is
-- cut down to its type and message, marked truncated, on the step and in its attempt
select is(f.status, 'RETRYING', 'the attempt is recorded')
  from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token,
      jsonb_build_object('type', 'IOError', 'message', 'down', 'detail', pgqrs_test.nested(257))) f;
select is(s.error, '{"type": "IOError", "message": "down", "traceback": null, "truncated": true}'::jsonb,
          'cut down on the step') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(a.error, '{"type": "IOError", "message": "down", "traceback": null, "truncated": true}'::jsonb,
          'and in step_attempts')
  from pgqrs.step_attempts a where a.workflow_id = :'workflow_id' and a.step_key = 'fetch';

select * from finish();
rollback;
