begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
select status from pgqrs.begin_step(:'workflow_id', 'a', :token, 1) \gset
select status from pgqrs.begin_step(:'workflow_id', 'b', :token, 2, 3, 10, 60) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'b', :token, '"e1"') \gset
select pgqrs.record_step(:'workflow_id', 'c', :token, 3, '{"rows": 3}') \gset
select status from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 4, p_seconds => 60) \gset
create temp table acquired as select * from pgqrs.acquire_workflow(:'workflow_id', 'runner-a');

-- TEST: steps with a row but no outcome (RUNNING, RETRYING, WAITING) are listed under the
-- reserved "#open" entry with their positions; finished steps keep their own entries
select is(s.status, 'WAITING', 'nap is a WAITING wait step') from pgqrs_test.step(:'workflow_id', 'nap') s;
select is(a.steps,
          '{"c": {"status": "SUCCESS", "output": {"rows": 3}, "error": null, "position": 3},
            "#open": {"a": 1, "b": 2, "nap": 4}}'::jsonb,
          'c as a finished step; a, b and nap under #open')
  from acquired a;

-- TEST: with only open steps, "#open" is the only entry
select workflow_id as only_id, token as only_token from pgqrs_test.running_workflow('runner-a') \gset
select status from pgqrs.begin_step(:'only_id', 'x', :only_token, 1) \gset
select is(a.steps, '{"#open": {"x": 1}}'::jsonb, 'just #open')
  from pgqrs.acquire_workflow(:'only_id', 'runner-a') a;

-- TEST: with no open step there is no "#open" key at all
select workflow_id as done_id, token as done_token from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.record_step(:'done_id', 'x', :done_token, 1, '1') \gset
select is(a.steps, '{"x": {"status": "SUCCESS", "output": 1, "error": null, "position": 1}}'::jsonb,
          'only the finished step, no #open')
  from pgqrs.acquire_workflow(:'done_id', 'runner-a') a;
select workflow_id as new_id, token as new_token from pgqrs_test.running_workflow('runner-a') \gset
select is(a.steps, '{}'::jsonb, 'a workflow without steps: an empty object')
  from pgqrs.acquire_workflow(:'new_id', 'runner-a') a;

select * from finish();
rollback;
