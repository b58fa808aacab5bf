begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.fail_step(:'workflow_id', 'a', :token, '"boom"') \gset
select pgqrs.fail_step(:'workflow_id', 'b', :token, '42') \gset
select pgqrs.fail_step(:'workflow_id', 'c', :token, '[1, 2]') \gset

-- TEST: any JSON value other than an object is stored as {"type": null, "message": <its text>}
select is(s.error, '{"type": null, "message": "boom"}'::jsonb, 'a string') from pgqrs_test.step(:'workflow_id', 'a') s;
select is(s.error, '{"type": null, "message": "42"}'::jsonb, 'a number') from pgqrs_test.step(:'workflow_id', 'b') s;
select is(s.error, '{"type": null, "message": "[1, 2]"}'::jsonb, 'an array') from pgqrs_test.step(:'workflow_id', 'c') s;

select * from finish();
rollback;
