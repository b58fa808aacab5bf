begin;
select plan(6);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select set_config('pgqrs.max_payload_bytes', '100', true) \gset

-- TEST: an output over pgqrs.max_payload_bytes is refused with PQ007: for a new step ...
select throws_ok(
    format('select pgqrs.record_step(%L, %L, %s, 2, %L)', :'workflow_id', 'load', :token,
           jsonb_build_object('data', repeat('x', 200))),
    'PQ007', null, 'new step, output over the limit: PQ007');
-- TEST: ... and for a begun step
select throws_ok(
    format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token,
           jsonb_build_object('data', repeat('x', 200))),
    'PQ007', null, 'begun step, output over the limit: PQ007');
-- TEST: nothing is recorded
select is(pgqrs_test.step_count(:'workflow_id'), 1::bigint, 'no new step row');
select is(s.status, 'RUNNING', 'the begun step stays RUNNING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
-- TEST: an output of exactly the limit is accepted
select set_config('pgqrs.max_payload_bytes',
                  pg_column_size(jsonb_build_object('data', repeat('x', 200)))::text, true) \gset
select lives_ok(
    format('select pgqrs.record_step(%L, %L, %s, 2, %L)', :'workflow_id', 'load', :token,
           jsonb_build_object('data', repeat('x', 200))),
    'output of exactly the limit is accepted');
select is(s.status, 'SUCCESS', 'and recorded') from pgqrs_test.step(:'workflow_id', 'load') s;

select * from finish();
rollback;
