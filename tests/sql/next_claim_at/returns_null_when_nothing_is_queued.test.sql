begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset

-- TEST: NULL when no queued workflow of a name the worker serves is waiting
select is(pgqrs.next_claim_at('worker-a'), null, 'nothing at all');
select pgqrs_test.new_workflow('wf') as not_queued \gset
select pgqrs_test.queued_workflow('other') as other_name \gset
select workflow_id as done, token as done_token from pgqrs_test.claimed_workflow('worker-a') \gset
select pgqrs.complete_workflow(:'done', :done_token, '"ok"') \gset
select pgqrs_test.dead_workflow() \gset
select is(pgqrs.next_claim_at('worker-a'), null,
    'not for an unqueued, another name''s, a finished or a DEAD workflow');

select * from finish();
rollback;
