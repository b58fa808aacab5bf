begin;
select plan(1);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: a workflow without steps lists nothing
select is_empty(format('select * from pgqrs.list_steps(%L)', :'workflow_id'), 'no rows');

select * from finish();
rollback;
