begin;
select plan(4);

select * from pgqrs_test.claimed_workflow('worker-a') \gset

-- TEST: the token a claim returns is a lease like acquire_workflow's: steps and outcome use it
select is(s.status, 'EXECUTE', 'acquire_step') from pgqrs.acquire_step(:'workflow_id', 'fetch', :token) s;
select lives_ok(format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '1'),
    'complete_step');
select lives_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, '"done"'),
    'complete_workflow');
select is(w.status, 'SUCCESS', 'SUCCESS') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
