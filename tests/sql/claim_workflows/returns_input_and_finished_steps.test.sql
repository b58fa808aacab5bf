begin;
select plan(3);

select * from pgqrs_test.claimed_workflow('worker-a', p_input => '{"order": 7}') \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'reserve', '{"r": 1}') \gset
select pgqrs_test.failed_step(:'workflow_id', :token, 'charge') \gset
select status from pgqrs.acquire_step(:'workflow_id', 'ship', :token) \gset
select pgqrs.release_workflow(:'workflow_id', :token) \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-a');

-- TEST: a claim returns the input and every finished step, as acquire_workflow does; the
-- RUNNING one is only listed under "#open" (acquired by 0.1.0's acquire_step: no position)
select is(c.input, '{"order": 7}'::jsonb, 'the input') from claimed c;
select is(c.steps,
          '{"reserve": {"status": "SUCCESS", "output": {"r": 1}, "error": null},
            "charge": {"status": "FAILED", "output": null,
                       "error": {"type": "ValueError", "message": "boom"}},
            "#open": {"ship": null}}'::jsonb,
          'finished steps; the RUNNING one is only under #open') from claimed c;
select is(c.steps,
          (select a.steps from pgqrs.acquire_workflow(:'workflow_id', 'worker-a') a),
          'the same object acquire_workflow returns') from claimed c;

select * from finish();
rollback;
