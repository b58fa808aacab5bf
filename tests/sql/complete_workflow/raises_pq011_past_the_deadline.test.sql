begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select workflow_id from pgqrs.submit_workflow('wf', '{}', '{"queue": false, "timeout_seconds": 60}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 600) \gset
select pgqrs_test.advance_clock('60 seconds') \gset

-- TEST: at the deadline the outcome is refused: PQ011, and the workflow is not SUCCESS
select throws_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, '"late"'),
    'PQ011', null, 'PQ011');
select is(w.output, null, 'no output') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
