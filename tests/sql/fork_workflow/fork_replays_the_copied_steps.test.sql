begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '"rows"') \gset
select status from pgqrs.begin_step(:'workflow_id', 'parse', :token, 2) \gset
select pgqrs.complete_step(:'workflow_id', 'parse', :token, '"old"') \gset
select pgqrs.fork_workflow(:'workflow_id', 'parse') as fork \gset
select token as fork_token from pgqrs.acquire_workflow(:'fork', 'runner-a') \gset

-- TEST: a run of the fork skips the copied step and runs the fork step again
select results_eq(format('select status, value from pgqrs.begin_step(%L, %L, %s, 1)', :'fork', 'fetch', :fork_token),
    $$values ('SKIPPED', '"rows"'::jsonb)$$, 'fetch: SKIPPED with its output');
select results_eq(format('select status, attempt from pgqrs.begin_step(%L, %L, %s, 2)', :'fork', 'parse', :fork_token),
    $$values ('EXECUTE', 1)$$, 'parse: EXECUTE');
-- TEST: the fork's first acquire returns the copied step for replay
select is(a.steps -> 'fetch' ->> 'status', 'SUCCESS', 'acquire_workflow lists fetch')
  from pgqrs.acquire_workflow(:'fork', 'runner-a') a;

select * from finish();
rollback;
