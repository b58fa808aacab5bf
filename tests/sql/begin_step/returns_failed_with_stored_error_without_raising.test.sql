begin;
select plan(4);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'parse', :token, 1) \gset
select pgqrs_test.failed_step(:'workflow_id', :token, 'parse',
    '{"type": "ValueError", "message": "bad row", "traceback": "line 1"}') \gset

-- TEST: a FAILED step does not raise (acquire_step raises PQ004): FAILED with the stored error
select lives_ok(format('select pgqrs.begin_step(%L, %L, %s, 1)', :'workflow_id', 'parse', :token),
    'begin_step does not raise');
create temp table begun as select * from pgqrs.begin_step(:'workflow_id', 'parse', :token, 1);
select is(b.status, 'FAILED', 'status is FAILED') from begun b;
select is(b.value, '{"type": "ValueError", "message": "bad row", "traceback": "line 1"}'::jsonb,
    'value is the stored error') from begun b;
-- TEST: and the step stays FAILED
select is(s.status, 'FAILED', 'still FAILED') from pgqrs_test.step(:'workflow_id', 'parse') s;

select * from finish();
rollback;
