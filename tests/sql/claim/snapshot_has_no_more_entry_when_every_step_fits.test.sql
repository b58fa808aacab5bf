begin;
select plan(1);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 600) \gset
select pgqrs.record_step(:'workflow_id', 'a', :token, 1, pgqrs_test.big_string(400000)) \gset
select pgqrs.record_step(:'workflow_id', 'b', :token, 2, '{"rows": 3}') \gset
select status from pgqrs.begin_step(:'workflow_id', 'c', :token, 3) \gset
select pgqrs.release_workflow(:'workflow_id', :token) \gset

-- TEST: when every step fits in the budget, the snapshot holds them all and no "#more" entry
select is(c.steps - 'a',
          '{"b": {"status": "SUCCESS", "output": {"rows": 3}, "error": null, "position": 2}, "#open": {"c": 3}}'::jsonb,
          'a, b, #open with c, no #more')
  from pgqrs.claim('worker-a', gen_random_uuid(), 1000) c;

select * from finish();
rollback;
