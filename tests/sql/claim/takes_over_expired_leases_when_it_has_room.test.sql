begin;
select plan(5);

-- worker-a's workflow whose holder died (lease expired), and fresh work of the same name.
select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30) as c(expired, expired_token) \gset
select pgqrs_test.expire_lease(:'expired') \gset
select pgqrs_test.queued_workflow(p_input => '{"fresh": 1}') as fresh \gset
select pgqrs_test.worker('worker-b', array['wf']) \gset
-- worker-b's heartbeat is current: its next claim is not the once-a-second one.
select pgqrs.worker_heartbeat('worker-b') \gset

-- TEST: a claim that fresh work fills does not look for expired leases (within the second of
-- its last heartbeat)
select results_eq($$select workflow_id, recovered from pgqrs.claim('worker-b', gen_random_uuid(), 1)$$,
                  format('values (%L::uuid, false)', :'fresh'), 'the fresh workflow');
select is(w.lease_owner, 'worker-a', 'the expired lease is left for now') from pgqrs_test.workflow(:'expired') w;
-- TEST: a claim with room takes the expired lease over, as a recovery
select results_eq($$select workflow_id, token, recovered from pgqrs.claim('worker-b', gen_random_uuid(), 1)$$,
                  format('values (%L::uuid, %s::bigint, true)', :'expired', :expired_token + 1),
                  'the expired workflow, recovered, next token');
select is(w.recoveries, 1, 'recoveries 1') from pgqrs_test.workflow(:'expired') w;
-- TEST: once a second a claim looks for expired leases even when fresh work would fill it
select pgqrs_test.queued_workflow(p_input => '{"fresh": 2}') as fresh2 \gset
select pgqrs_test.expire_lease(:'expired') \gset
select is(c.workflow_id, :'expired'::uuid, 'the expired lease goes first')
  from pgqrs.claim('worker-b', gen_random_uuid(), 1) c;

select * from finish();
rollback;
