begin;
select plan(1);

-- Callers may choose their own ids (create_workflow's p_id), so an id says nothing about when
-- the workflow was made.
select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
select workflow_id as older from pgqrs.create_workflow('wf', p_id => 'ffffffff-ffff-4fff-bfff-ffffffffffff') \gset
select pgqrs_test.set_clock('2030-01-01 00:01:00+00') \gset
select workflow_id as newer from pgqrs.create_workflow('wf', p_id => '00000000-0000-4000-8000-000000000001') \gset

-- TEST: newest first holds for workflows whose ids the caller chose
select results_eq(
    'select id from pgqrs.list_workflows()',
    format('values (%L::uuid), (%L::uuid)', :'newer', :'older'),
    'the workflow created last comes first');

select * from finish();
rollback;
