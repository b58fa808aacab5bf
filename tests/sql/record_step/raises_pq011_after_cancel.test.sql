begin;
select plan(5);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs.cancel_workflow(:'workflow_id', 'user asked') \gset

-- TEST: after cancel_workflow, the runner's record_step raises PQ011: for a new step ...
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 2, %L)', :'workflow_id', 'load', :token, '1'),
    'PQ011', null, 'new step: PQ011');
-- TEST: ... and for the step it had begun
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, '1'),
    'PQ011', null, 'begun step: PQ011');
-- TEST: nothing is recorded
select is(pgqrs_test.step_count(:'workflow_id'), 1::bigint, 'no new step row');
select is(s.status, 'RUNNING', 'the begun step stays RUNNING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(w.status, 'CANCELLED', 'still CANCELLED') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
