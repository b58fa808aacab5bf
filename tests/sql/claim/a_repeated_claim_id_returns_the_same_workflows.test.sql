begin;
select plan(7);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow(p_input => '{"n": 1}') as w1 \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.queued_workflow(p_input => '{"n": 2}') as w2 \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.queued_workflow(p_input => '{"n": 3}') as w3 \gset
select gen_random_uuid() as claim_id \gset
create temp table first_claim as select * from pgqrs.claim('worker-a', :'claim_id', 2);
create temp table leases_before as select id, lease_token, lease_expires_at, recoveries from pgqrs.workflows;
select pgqrs_test.advance_clock('5 seconds') \gset

-- TEST: setup: the claim granted the two oldest workflows, under its claim id
select set_eq('select workflow_id from first_claim', format('values (%L::uuid), (%L::uuid)', :'w1', :'w2'),
              'w1 and w2');
select is((select count(*) from pgqrs.workflows where claim_id = :'claim_id'), 2::bigint, 'claim_id recorded');
-- TEST: the same claim id again (its answer was lost) returns the same workflows with the same
-- tokens, inputs and snapshots ...
select results_eq(format('select * from pgqrs.claim(%L, %L, 2) order by workflow_id', 'worker-a', :'claim_id'),
                  'select * from first_claim order by workflow_id', 'the same rows');
-- TEST: ... and claims nothing new, even with room for more
select results_eq(format('select workflow_id, token from pgqrs.claim(%L, %L, 10) order by workflow_id', 'worker-a', :'claim_id'),
                  'select workflow_id, token from first_claim order by workflow_id', 'the same rows with limit 10');
select is(w.lease_owner, null, 'w3 is still unclaimed') from pgqrs_test.workflow(:'w3') w;
-- TEST: the leases are untouched: same tokens and expiry, no recovery counted
select results_eq('select id, lease_token, lease_expires_at, recoveries from pgqrs.workflows order by id',
                  'select * from leases_before order by id', 'leases unchanged');
-- TEST: a new claim id claims new work
select results_eq($$select workflow_id from pgqrs.claim('worker-a', gen_random_uuid(), 10)$$,
                  format('values (%L::uuid)', :'w3'), 'w3');

select * from finish();
rollback;
