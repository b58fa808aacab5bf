begin;
select plan(3);

select pgqrs_test.new_workflow('greet', '{"who": "world"}') as workflow_id \gset
create temp table acquired as select * from pgqrs.acquire_workflow(:'workflow_id', 'runner-a');

-- TEST: the runner gets what it needs to run the code: name, input, and no steps yet
select is(a.name, 'greet', 'returns the name') from acquired a;
select is(a.input, '{"who": "world"}'::jsonb, 'returns the input') from acquired a;
select is(a.steps, '{}'::jsonb, 'a new workflow has an empty steps object') from acquired a;

select * from finish();
rollback;
