begin;
select plan(3);

create temp table started as
select s.workflow_id from pgqrs.start_workflows('wf-traced', '[1, 2, 3]', null,
    '{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}') s;

-- TEST: every workflow of a start_workflows call gets the traceparent given in its options
select is(count(*), 3::bigint, 'stored on each item')
  from started s
 where pgqrs.trace_context(s.workflow_id)
       = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
-- TEST: a traceparent not in the W3C form raises PQ008 and creates nothing
select throws_ok($$select * from pgqrs.start_workflows('wf-bad', '[1, 2]', null,
                                                     '{"traceparent": "00-xyz"}')$$,
                 'PQ008', null, 'malformed');
select is((select count(*) from pgqrs.workflows where name = 'wf-bad'), 0::bigint,
          'nothing created');

select * from finish();
rollback;
