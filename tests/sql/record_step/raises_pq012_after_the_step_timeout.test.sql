begin;
select plan(6);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 60) \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60, 5) \gset
create temp table before as select * from pgqrs.steps where workflow_id = :'workflow_id';
select lease_expires_at as expires from pgqrs_test.workflow(:'workflow_id') \gset
select pgqrs_test.advance_clock('5 seconds') \gset

-- TEST: at the step's timeout its result is refused: PQ012 ...
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, '"late"'),
    'PQ012', null, 'PQ012');
-- TEST: ... nothing is recorded and the lease is not extended ...
select results_eq(format('select * from pgqrs.steps where workflow_id = %L', :'workflow_id'),
    'select * from before', 'the step row is unchanged');
select is(s.status, 'RUNNING', 'still RUNNING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(w.lease_expires_at, :'expires'::timestamptz, 'the lease is unchanged') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... while fail_step_attempt still records the attempt
select results_eq(format('select status, attempt from pgqrs.fail_step_attempt(%L, %L, %s, %L)',
                         :'workflow_id', 'fetch', :token, '"timed out"'),
    $$values ('RETRYING', 1)$$, 'fail_step_attempt: RETRYING');
select is(s.status, 'RETRYING', 'the row is RETRYING') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
