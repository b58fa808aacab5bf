begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_max_recoveries => 0) \gset
select pgqrs_test.expire_lease(:'workflow_id') \gset
select pgqrs_test.queued_workflow() as fresh \gset

-- TEST: in one claim, a crash-looping workflow is dead-lettered and the next one handed out
select results_eq($$select workflow_id from pgqrs.claim_workflows('worker-a', 2)$$,
                  format('values (%L::uuid)', :'fresh'), 'only the fresh workflow');
select is(w.status, 'DEAD', 'the other is DEAD') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: a DEAD workflow is never claimed again
select pgqrs_test.advance_clock('1 hour') \gset
select is_empty(format('select * from pgqrs.claim_workflows(%L, 10) where workflow_id = %L',
                       'worker-a', :'workflow_id'),
                'not claimed later');

select * from finish();
rollback;
