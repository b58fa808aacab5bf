begin;
select plan(6);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-deb-a', array['wf-deb']) \gset

-- TEST: the first start of a debounce key makes a workflow that waits debounce_seconds
select workflow_id as first, created from pgqrs.submit_workflow('wf-deb', '{"n": 1}',
    '{"debounce_key": "doc-7", "debounce_seconds": 10}') \gset
select is(w.available_at, :'t0'::timestamptz + interval '10 seconds', 'available in 10 s')
  from pgqrs_test.workflow(:'first') w;
-- TEST: more starts within the window return that workflow (created = false), with the latest
-- input, postponed debounce_seconds from the latest start
select pgqrs_test.advance_clock('4 seconds') \gset
select pgqrs.submit_workflow('wf-deb', '{"n": 2}', '{"debounce_key": "doc-7", "debounce_seconds": 10}') \gset
select pgqrs_test.advance_clock('4 seconds') \gset
select results_eq(
    $$select created, status from pgqrs.submit_workflow('wf-deb', '{"n": 3}', '{"debounce_key": "doc-7", "debounce_seconds": 10}')$$,
    $$values (false, 'PENDING'::text)$$, 'not created again');
select results_eq(
    format('select id, input, available_at from pgqrs.workflows where name = %L', 'wf-deb'),
    format($$values (%L::uuid, '{"n": 3}'::jsonb, %L::timestamptz + interval '18 seconds')$$, :'first', :'t0'),
    'one workflow, latest input, 10 s after the last start');
-- TEST: no worker gets it before then, then one run with the latest input
select pgqrs_test.advance_clock('9 seconds') \gset
select is(pgqrs_test.claim_ids('wq-deb-a'), '{}'::uuid[], 'nothing within the window');
select pgqrs_test.advance_clock('1 second') \gset
select results_eq($$select workflow_id, input from pgqrs.claim('wq-deb-a', gen_random_uuid(), 10)$$,
                  format($$values (%L::uuid, '{"n": 3}'::jsonb)$$, :'first'), 'one run, latest input');
-- TEST: another key is a workflow of its own
select is((select created from pgqrs.submit_workflow('wf-deb', '{}', '{"debounce_key": "doc-8", "debounce_seconds": 10}')),
          true, 'another key: created');

select * from finish();
rollback;
