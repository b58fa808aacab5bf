begin;
select plan(5);

select pgqrs_test.worker('worker-a', array['wf']) \gset

-- TEST: the limit must be between 1 and 1000
select throws_ok($$select * from pgqrs.claim_workflows('worker-a', 0)$$, 'PQ008', null, '0: PQ008');
select throws_ok($$select * from pgqrs.claim_workflows('worker-a', -1)$$, 'PQ008', null, '-1: PQ008');
select throws_ok($$select * from pgqrs.claim_workflows('worker-a', 1001)$$, 'PQ008', null, '1001: PQ008');
select throws_ok($$select * from pgqrs.claim_workflows('worker-a', null)$$, 'PQ008', null, 'NULL: PQ008');
select lives_ok($$select * from pgqrs.claim_workflows('worker-a', 1000)$$, '1000 is accepted');

select * from finish();
rollback;
