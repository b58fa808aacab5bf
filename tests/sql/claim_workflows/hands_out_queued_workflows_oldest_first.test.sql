begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz - interval '1 minute') as newest \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz - interval '3 minutes') as oldest \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz - interval '2 minutes') as middle \gset
create temp table claimed as
    select row_number() over () as n, c.* from pgqrs.claim_workflows('worker-a', 2) c;

-- TEST: claim_workflows hands out up to p_limit workflows, the oldest available_at first
select results_eq('select workflow_id from claimed order by n',
                  format('values (%L::uuid), (%L::uuid)', :'oldest', :'middle'),
                  'the two oldest, in order');
-- TEST: a later claim gets the rest
select results_eq($$select workflow_id from pgqrs.claim_workflows('worker-a', 2)$$,
                  format('values (%L::uuid)', :'newest'),
                  'the next claim gets the remaining one');
select is_empty($$select * from pgqrs.claim_workflows('worker-a', 2)$$, 'then nothing is left');

select * from finish();
rollback;
