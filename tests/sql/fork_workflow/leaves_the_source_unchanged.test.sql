begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'fetch') \gset
select status from pgqrs.begin_step(:'workflow_id', 'parse', :token, 2) \gset
create temp table wf_before as select * from pgqrs.workflows where id = :'workflow_id';
create temp table steps_before as select * from pgqrs.steps where workflow_id = :'workflow_id';
select pgqrs_test.advance_clock('1 minute') \gset
select pgqrs.fork_workflow(:'workflow_id', 'parse') \gset

-- TEST: forking changes nothing in the source: its row and its steps are as they were
select results_eq(format('select * from pgqrs.workflows where id = %L', :'workflow_id'),
    'select * from wf_before', 'the workflow row');
select results_eq(format('select * from pgqrs.steps where workflow_id = %L order by step_key', :'workflow_id'),
    'select * from steps_before order by step_key', 'the step rows');

select * from finish();
rollback;
