begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'fetch') \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'parse') \gset
select pgqrs.fork_workflow(:'workflow_id', 'parse', '01900000-0000-7000-8000-0000000000f1') as first \gset

-- TEST: repeating the call with the same p_id returns the same fork and copies nothing again
select is(pgqrs.fork_workflow(:'workflow_id', 'parse', '01900000-0000-7000-8000-0000000000f1'),
    '01900000-0000-7000-8000-0000000000f1'::uuid, 'the same id');
select is(:'first'::uuid, '01900000-0000-7000-8000-0000000000f1'::uuid, 'the first call used p_id');
select is(pgqrs_test.step_count('01900000-0000-7000-8000-0000000000f1'), 1::bigint, 'still one copied step');

select * from finish();
rollback;
