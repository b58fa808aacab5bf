begin;
select plan(3);

select * from pgqrs.start_workflow('wf', '{"n": 1}', p_id => '0190f3a4-0000-7000-8000-000000000042') \gset first_
select * from pgqrs.start_workflow('wf', '{"n": 1}', p_id => '0190f3a4-0000-7000-8000-000000000042') \gset

-- TEST: the same id, name and input return the existing workflow with created = false
select ok(:'first_created'::boolean, 'the first call created it');
select is(:'workflow_id'::uuid, '0190f3a4-0000-7000-8000-000000000042'::uuid, 'the same id');
select ok(not :'created'::boolean, 'the repeat did not create it');

select * from finish();
rollback;
