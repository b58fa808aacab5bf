begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_max_recoveries => 0) \gset
select pgqrs_test.expire_lease(:'workflow_id') \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.queued_workflow(p_input => '{"next": 1}') as next_one \gset
select gen_random_uuid() as claim_id \gset

-- TEST: a claim with a claim id still dead-letters a workflow whose holder died more often than
-- max_recoveries allows (pgqrs.CrashLoop), and goes on to the next one
select results_eq(format('select workflow_id from pgqrs.claim(%L, %L, 2)', 'worker-a', :'claim_id'),
                  format('values (%L::uuid)', :'next_one'), 'the next workflow');
select is(w.status || ' ' || (w.error ->> 'type'), 'DEAD pgqrs.CrashLoop', 'DEAD, pgqrs.CrashLoop')
  from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint + 1, 'its holder is fenced out') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.claim_id, null, 'it is not part of the claim') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: a repeat of the claim returns the workflow it granted, not the DEAD one
select results_eq(format('select workflow_id from pgqrs.claim(%L, %L, 2)', 'worker-a', :'claim_id'),
                  format('values (%L::uuid)', :'next_one'), 'the same answer');

select * from finish();
rollback;
