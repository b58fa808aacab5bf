begin;
select plan(5);

-- Under the first lease: a step left RUNNING, a step RETRYING and due, a finished step. Then
-- another runner takes the workflow over.
select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'running', :token, 1) \gset
select status from pgqrs.begin_step(:'workflow_id', 'retrying', :token, 2, 3, 1, 1) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'retrying', :token, '"flaky"') \gset
select pgqrs.record_step(:'workflow_id', 'done', :token, 3, '"ok"') \gset
select pgqrs_test.takeover(:'workflow_id') as new_token \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: begin_step with the stale token raises PQ003 on every path that would write: a step
-- left RUNNING (which would record an abandoned attempt), a due retry, a new step ...
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, %s, 3, 1, 1)', :'workflow_id', k, :token, p),
                 'PQ003', null, k || ': PQ003')
  from (values ('running', 1), ('retrying', 2), ('new', 4)) v (k, p);
-- TEST: ... and writes nothing: no row inserted or updated, no attempt recorded
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: the current holder then finds the abandoned step as it was left
select is(b.attempt, 2, 'the new holder runs attempt 2 of the abandoned step')
  from pgqrs.begin_step(:'workflow_id', 'running', :new_token, 1) b;

select * from finish();
rollback;
