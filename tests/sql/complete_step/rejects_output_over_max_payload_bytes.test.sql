begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.acquire_step(:'workflow_id', 'fetch', :token) \gset
select set_config('pgqrs.max_payload_bytes', '100', true) \gset

-- TEST: an output over pgqrs.max_payload_bytes is refused and the step stays as it was
select throws_ok(
    format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token,
           jsonb_build_object('data', repeat('x', 200))),
    'PQ007', null, 'output over the limit: PQ007');
select is(s.status, 'RUNNING', 'the step stays RUNNING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.output, null, 'no output stored') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
