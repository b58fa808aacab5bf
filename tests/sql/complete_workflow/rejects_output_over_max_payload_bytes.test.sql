begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select set_config('pgqrs.max_payload_bytes', '100', true) \gset

-- TEST: an output over pgqrs.max_payload_bytes is refused and the workflow stays RUNNING
select throws_ok(
    format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token,
           jsonb_build_object('data', repeat('x', 200))),
    'PQ007', null, 'output over the limit: PQ007');
select is(w.status, 'RUNNING', 'the workflow stays RUNNING') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
