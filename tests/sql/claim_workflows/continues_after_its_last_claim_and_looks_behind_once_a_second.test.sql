begin;
select plan(7);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz - interval '4 minutes') as a \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz - interval '3 minutes') as b \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz - interval '2 minutes') as c \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz - interval '1 minute') as d \gset

-- TEST: a session's claims of a name go on from the key (available_at, id) where its last claim
-- started, so that they never read again what earlier claims took
select c.workflow_id as claimed, c.token as token_a from pgqrs.claim_workflows('worker-a') c \gset
select is(:'claimed'::uuid, :'a'::uuid, 'the oldest first');
select is((h.at, h.id)::text, (w.available_at, w.id)::text, 'the session keeps its key')
  from pgqrs._claim_hint('default', 'wf') h, pgqrs_test.workflow(:'a') w;
select results_eq($$select workflow_id from pgqrs.claim_workflows('worker-a')$$,
                  format('values (%L::uuid)', :'b'), 'then the next one');

-- TEST: a workflow released behind that key waits while newer work fills the claim, within
-- the second
select pgqrs.release_workflow(:'a', :token_a) \gset
select results_eq($$select workflow_id from pgqrs.claim_workflows('worker-a')$$,
                  format('values (%L::uuid)', :'c'), 'within the second: the newer one');

-- TEST: once a second (when a claim rewrites the worker's heartbeat) a claim looks from the
-- start first
select pgqrs_test.advance_clock('1 second') \gset
select c.workflow_id as claimed, c.token as token_a from pgqrs.claim_workflows('worker-a') c \gset
select is(:'claimed'::uuid, :'a'::uuid, 'a second later: the oldest again');

-- TEST: a claim that finds nothing after its key looks from the start at once: a claim that
-- finds fewer workflows than asked has looked at the whole queue
select results_eq($$select workflow_id from pgqrs.claim_workflows('worker-a')$$,
                  format('values (%L::uuid)', :'d'), 'the last one after the key');
select pgqrs.release_workflow(:'a', :token_a) \gset
select results_eq($$select workflow_id from pgqrs.claim_workflows('worker-a')$$,
                  format('values (%L::uuid)', :'a'), 'nothing after the key: from the start');

select * from finish();
rollback;
