begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as new_token \gset
select pgqrs.complete_workflow(:'workflow_id', :new_token, '"done by b"') \gset

-- TEST: a stale token is told it lost the lease, whatever the workflow's state
select throws_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, '"done by b"'),
    'PQ003', null, 'stale token on a SUCCESS workflow: PQ003');
select is(w.output, '"done by b"'::jsonb, 'the output is runner-b''s') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
