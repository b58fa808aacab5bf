begin;
select plan(4);

select pgqrs_test.set_clock() as t0 \gset

-- TEST: a deadline that has passed already, or is now, raises PQ008 ...
select throws_ok(format('select pgqrs.submit_workflow(%L, %L, %L)', 'wf-late', '{}',
                        jsonb_build_object('deadline', :'t0'::timestamptz - interval '1 second')),
    'PQ008', null, 'a second ago: PQ008');
select throws_ok(format('select pgqrs.submit_workflow(%L, %L, %L)', 'wf-late', '{}',
                        jsonb_build_object('deadline', :'t0'::timestamptz)),
    'PQ008', null, 'now: PQ008');
-- TEST: ... and creates nothing
select is((select count(*) from pgqrs.workflows where name = 'wf-late'), 0::bigint, 'nothing created');
-- TEST: a deadline in the future is accepted
select workflow_id from pgqrs.submit_workflow('wf-late', '{}',
    jsonb_build_object('deadline', :'t0'::timestamptz + interval '1 second')) \gset
select is(w.deadline_at, :'t0'::timestamptz + interval '1 second', 'a second from now')
  from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
