begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset

-- TEST: recording a workflow failure never fails: an error nested more than 256 levels deep is
-- cut down to its type and message, marked truncated
select pgqrs.fail_workflow(:'workflow_id', :token,
    jsonb_build_object('type', 'ValueError', 'message', 'boom', 'detail', pgqrs_test.nested(257))) \gset
select is(w.status, 'FAILED', 'FAILED') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.error, '{"type": "ValueError", "message": "boom", "traceback": null, "truncated": true}'::jsonb,
          'cut down') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
