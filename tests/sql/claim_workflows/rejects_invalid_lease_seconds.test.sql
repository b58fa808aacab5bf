begin;
select plan(6);

select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow() as wf \gset

-- TEST: lease seconds must be greater than 0 and at most 86400, as in acquire_workflow
select throws_ok($$select * from pgqrs.claim_workflows('worker-a', 1, 0)$$, 'PQ008', null, '0: PQ008');
select throws_ok($$select * from pgqrs.claim_workflows('worker-a', 1, 86400.5)$$, 'PQ008', null, 'over a day: PQ008');
select throws_ok($$select * from pgqrs.claim_workflows('worker-a', 1, null)$$, 'PQ008', null, 'NULL: PQ008');
select throws_ok($$select * from pgqrs.claim_workflows('worker-a', 1, 'NaN')$$, 'PQ008', null, 'NaN: PQ008');
select is(w.status, 'PENDING', 'nothing was claimed') from pgqrs_test.workflow(:'wf') w;
select lives_ok($$select * from pgqrs.claim_workflows('worker-a', 1, 86400)$$, 'one day is accepted');

select * from finish();
rollback;
