begin;
select plan(1);

select pgqrs_test.new_workflow() as wf \gset

-- TEST: a workflow without steps has no attempts
select is_empty(format('select * from pgqrs.list_step_attempts(%L)', :'wf'), 'no rows');

select * from finish();
rollback;
