begin;
select plan(2);

select pgqrs_test.worker('worker-a', array['wf', 'report']) \gset
select pgqrs_test.queued_workflow('wf') as wf \gset
select pgqrs_test.queued_workflow('other') as other \gset
select pgqrs_test.queued_workflow('report') as report \gset

-- TEST: a worker claims only workflows whose name it serves
select set_eq($$select workflow_id from pgqrs.claim_workflows('worker-a', 10)$$,
              format('values (%L::uuid), (%L::uuid)', :'wf', :'report'),
              'wf and report, not other');
select is(w.status, 'PENDING', 'the other one is left alone') from pgqrs_test.workflow(:'other') w;

select * from finish();
rollback;
