begin;
select plan(2);

select pgqrs_test.queued_workflow() as wf \gset

-- TEST: a worker that never registered cannot claim: PQ009, and nothing is claimed
select throws_ok($$select * from pgqrs.claim_workflows('nobody')$$, 'PQ009', null, 'unknown worker: PQ009');
select is(w.status, 'PENDING', 'the workflow is untouched') from pgqrs_test.workflow(:'wf') w;

select * from finish();
rollback;
