begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'fetch', '{"rows": 3}') \gset
select pgqrs_test.failed_step(:'workflow_id', :token, 'parse', '{"type": "ValueError", "message": "bad"}') \gset
select status as upload_status from pgqrs.acquire_step(:'workflow_id', 'upload', :token) \gset
create temp table acquired as select * from pgqrs.acquire_workflow(:'workflow_id', 'runner-a');

-- TEST: SUCCESS and FAILED steps come back keyed by step key; a RUNNING step only under the
-- reserved "#open" entry, with its position (none: acquire_step records no position)
select is(
    a.steps,
    '{"fetch": {"status": "SUCCESS", "output": {"rows": 3}, "error": null},
      "parse": {"status": "FAILED", "output": null,
                "error": {"type": "ValueError", "message": "bad"}},
      "#open": {"upload": null}}'::jsonb,
    'steps holds fetch and parse; upload only under #open')
  from acquired a;

select * from finish();
rollback;
