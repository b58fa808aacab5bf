begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '"boom"') \gset

-- TEST: a non-object error is stored as {"type": null, "message": <its text>}
select is(w.error, '{"type": null, "message": "boom"}'::jsonb, 'a string error')
  from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
