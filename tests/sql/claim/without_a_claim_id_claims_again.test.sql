begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow(p_input => '{"n": 1}') as w1 \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.queued_workflow(p_input => '{"n": 2}') as w2 \gset

-- TEST: without a claim id (NULL) a claim is not idempotent: a repeat claims the next workflow
select results_eq($$select workflow_id from pgqrs.claim('worker-a', null, 1)$$,
                  format('values (%L::uuid)', :'w1'), 'w1 first');
select results_eq($$select workflow_id from pgqrs.claim('worker-a', null, 1)$$,
                  format('values (%L::uuid)', :'w2'), 'then w2');
select is((select count(*) from pgqrs.workflows where claim_id is not null), 0::bigint, 'no claim id recorded');

select * from finish();
rollback;
