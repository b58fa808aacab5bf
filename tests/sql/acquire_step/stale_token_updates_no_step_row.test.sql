begin;
select plan(4);

-- Under the first lease: a step left RUNNING and a RETRYING one (a newer client's). Then another
-- runner takes the workflow over.
select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.acquire_step(:'workflow_id', 'running', :token) \gset
select status from pgqrs.begin_step(:'workflow_id', 'retrying', :token, 2, 3, 1, 1) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'retrying', :token, '"flaky"') \gset
select pgqrs_test.takeover(:'workflow_id') as new_token \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: acquire_step with the stale token raises PQ003 on every path that would write: a step
-- left RUNNING, a RETRYING step, a new step ...
select throws_ok(format('select pgqrs.acquire_step(%L, %L, %s)', :'workflow_id', k, :token),
                 'PQ003', null, k || ': PQ003')
  from unnest(array['running', 'retrying', 'new']) k;
-- TEST: ... and writes nothing: no row inserted or updated
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');

select * from finish();
rollback;
