begin;
select plan(4);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id as parent from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "timeout_seconds": 60}') \gset
select token from pgqrs.acquire_workflow(:'parent', 'runner-a') \gset
select pgqrs_test.advance_clock('60 seconds') \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a parent past its deadline is as good as cancelled, even before anyone records it: PQ011
select is(w.status, 'RUNNING', 'setup: the parent is still RUNNING') from pgqrs_test.workflow(:'parent') w;
select throws_ok(format('select pgqrs.submit_workflow(%L, %L, %L)', 'wf-child', '{}', jsonb_build_object('parent_id', :'parent')),
    'PQ011', null, 'PQ011');
-- TEST: ... and nothing is created
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: a second earlier, it was accepted
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '59 seconds') \gset
select lives_ok(format('select pgqrs.submit_workflow(%L, %L, %L)', 'wf-child', '{}', jsonb_build_object('parent_id', :'parent')),
    'within the deadline: a child');

select * from finish();
rollback;
