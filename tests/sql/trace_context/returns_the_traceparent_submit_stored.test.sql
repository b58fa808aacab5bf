begin;
select plan(5);

select workflow_id as traced from pgqrs.submit_workflow('wf', '{}',
    '{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}') \gset
select workflow_id as plain from pgqrs.submit_workflow('wf', '{}', '{}') \gset

-- TEST: the traceparent given to submit_workflow, or NULL without one
select is(pgqrs.trace_context(:'traced'),
          '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'stored');
select is(pgqrs.trace_context(:'plain'), null, 'none');
-- TEST: a traceparent not in the W3C form raises PQ008 and creates nothing
select throws_ok($$select * from pgqrs.submit_workflow('wf-bad', '{}', '{"traceparent": "00-xyz"}')$$,
                 'PQ008', null, 'malformed');
select is((select count(*) from pgqrs.workflows where name = 'wf-bad'), 0::bigint, 'nothing created');
-- TEST: an unknown workflow raises PQ001
select throws_ok($$select pgqrs.trace_context(gen_random_uuid())$$, 'PQ001', null, 'unknown id');

select * from finish();
rollback;
