begin;
select plan(3);

-- Two workflows, w1 available a second before w2.
select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow(p_input => '{"n": 2}') as w2 \gset
select pgqrs_test.queued_workflow(p_input => '{"n": 1}', p_run_at => :'t0'::timestamptz - interval '1 second') as w1 \gset

-- TEST: the 0.1.0 call still hands out work, one workflow per call here, with its columns
select results_eq($$select workflow_id, name, token, input, steps, recovered from pgqrs.claim_workflows('worker-a')$$,
                  format($$values (%L::uuid, 'wf'::text, 1::bigint, '{"n": 1}'::jsonb, '{}'::jsonb, false)$$, :'w1'),
                  'w1 with its token and input');
-- TEST: and is not idempotent: a repeat claims the next one
select results_eq($$select workflow_id from pgqrs.claim_workflows('worker-a')$$,
                  format('values (%L::uuid)', :'w2'), 'then w2');
select is((select count(*) from pgqrs.workflows where claim_id is not null), 0::bigint, 'no claim id recorded');

select * from finish();
rollback;
