begin;
select plan(9);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.record_step(:'workflow_id', 'fetch', :token, 1, '"ok"') \gset
select status from pgqrs.begin_step(:'workflow_id', 'load', :token, 2) \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as new_token \gset
create temp table before as select * from pgqrs.workflows where id = :'workflow_id';
select pgqrs_test.advance_clock('5 seconds') \gset

-- TEST: a token that is not the current one is fenced out with PQ003: for a new step ...
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 3, %L)', :'workflow_id', 'parse', :token, '"ok"'),
    'PQ003', null, 'new step under the old token: PQ003');
-- TEST: ... for the step it had begun ...
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 2, %L)', :'workflow_id', 'load', :token, '"ok"'),
    'PQ003', null, 'begun step under the old token: PQ003');
-- TEST: ... for a repeat of a step it recorded ...
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, '"ok"'),
    'PQ003', null, 'repeat under the old token: PQ003');
-- TEST: ... also at a position another step holds: fencing comes before the replay guard
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'other', :token, '"ok"'),
    'PQ003', null, 'taken position under the old token: PQ003, not PQ010');
-- TEST: nothing is written: no new step, the begun one stays RUNNING, the new holder's lease
-- is untouched
select is(pgqrs_test.step_count(:'workflow_id'), 2::bigint, 'no new step row');
select is(s.status, 'RUNNING', 'load stays RUNNING') from pgqrs_test.step(:'workflow_id', 'load') s;
select is(s.output, null, 'load has no output') from pgqrs_test.step(:'workflow_id', 'load') s;
select results_eq(format('select * from pgqrs.workflows where id = %L', :'workflow_id'),
    'select * from before', 'the workflow row is unchanged');
-- TEST: the new holder records its own steps
select lives_ok(format('select pgqrs.record_step(%L, %L, %s, 3, %L)', :'workflow_id', 'parse', :new_token, '"ok"'),
    'the new token records a step');

select * from finish();
rollback;
