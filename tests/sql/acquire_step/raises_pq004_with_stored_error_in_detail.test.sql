begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.failed_step(:'workflow_id', :token, 'parse',
    '{"type": "ValueError", "message": "bad row", "traceback": "line 1"}') \gset
create temp table caught as
    select * from pgqrs_test.error_of(format('select pgqrs.acquire_step(%L, %L, %s)', :'workflow_id', 'parse', :token));

-- TEST: a FAILED step raises PQ004 ...
select is(c.code, 'PQ004', 'raises PQ004') from caught c;
-- TEST: ... with the stored error, as JSON, in DETAIL, and its message in the message
select is(c.detail::jsonb, '{"type": "ValueError", "message": "bad row", "traceback": "line 1"}'::jsonb,
    'DETAIL is the stored error') from caught c;
select is(c.message, format('pgqrs: step parse of workflow %s failed: bad row', :'workflow_id'),
    'the message quotes the stored message') from caught c;

select * from finish();
rollback;
