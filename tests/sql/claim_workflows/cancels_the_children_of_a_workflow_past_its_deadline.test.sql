begin;
select plan(7);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf-claim-dl-child']) \gset
select workflow_id as parent from pgqrs.submit_workflow('wf-claim-dl-parent', '{}', '{"timeout_seconds": 60}') \gset
select workflow_id as child from pgqrs.submit_workflow('wf-claim-dl-child', '{}', jsonb_build_object('parent_id', :'parent')) \gset
select workflow_id as grandchild from pgqrs.submit_workflow('wf-claim-dl-child', '{}', jsonb_build_object('parent_id', :'child', 'run_at', :'t0'::timestamptz + interval '1 hour')) \gset
select pgqrs_test.advance_clock('61 seconds') as t1 \gset

-- TEST: the claim that cancels a workflow past its deadline cancels its children, recursively,
-- before handing anything out: the child is not claimed
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'the child is not handed out');
select is(w.status, 'CANCELLED', 'the parent is CANCELLED') from pgqrs_test.workflow(:'parent') w;
select is(w.error ->> 'type', 'pgqrs.DeadlineExceeded', 'by its deadline') from pgqrs_test.workflow(:'parent') w;
select is(w.status, 'CANCELLED', 'the child is CANCELLED') from pgqrs_test.workflow(:'child') w;
select is(w.error ->> 'message', 'its parent workflow ' || :'parent' || ' was cancelled', 'naming the parent')
  from pgqrs_test.workflow(:'child') w;
select is(w.status, 'CANCELLED', 'the grandchild is CANCELLED') from pgqrs_test.workflow(:'grandchild') w;
select is(w.finished_at, :'t1'::timestamptz, 'now') from pgqrs_test.workflow(:'grandchild') w;

select * from finish();
rollback;
