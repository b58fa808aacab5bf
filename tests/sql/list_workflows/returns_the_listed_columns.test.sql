begin;
select plan(1);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.claimed_workflow('worker-a') \gset
select pgqrs_test.expire_lease(:'workflow_id') as t1 \gset
select count(*) from pgqrs.claim_workflows('worker-a') \gset
select pgqrs.complete_workflow(:'workflow_id', :token + 1, '"ok"') \gset

-- TEST: each row has the id, name, status, lease owner, recoveries and timestamps
select results_eq(
    'select * from pgqrs.list_workflows()',
    format($$values (%L::uuid, 'wf', 'SUCCESS', null::text, 1, %L::timestamptz, %L::timestamptz,
                     %L::timestamptz)$$, :'workflow_id', :'t0', :'t1', :'t1'),
    'the row');

select * from finish();
rollback;
