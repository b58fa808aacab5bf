begin;
select plan(4);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf-retry-claim']) \gset
select workflow_id from pgqrs.submit_workflow('wf-retry-claim', '{}',
    '{"max_attempts": 2, "retry_backoff_seconds": 10}') \gset
select token from pgqrs.claim_workflows('worker-a') \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '"bad"') \gset
select available_at from pgqrs_test.workflow(:'workflow_id') \gset

-- TEST: the retried workflow is not claimed before its backoff has passed ...
select pgqrs_test.set_clock(:'available_at'::timestamptz - interval '1 millisecond') \gset
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'not before available_at');
-- TEST: ... then it is, with the next token, not as a recovery
select pgqrs_test.set_clock(:'available_at') \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-a');
select is(c.workflow_id, :'workflow_id'::uuid, 'claimed') from claimed c;
select is(c.token, :token::bigint + 2, 'token + 2') from claimed c;
select is(c.recovered, false, 'not a recovery') from claimed c;

select * from finish();
rollback;
