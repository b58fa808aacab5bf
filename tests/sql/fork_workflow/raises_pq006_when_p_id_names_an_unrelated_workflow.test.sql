begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.new_workflow() as other \gset
create temp table other_before as select * from pgqrs.workflows where id = :'other';

-- TEST: p_id naming a workflow that is not a fork of the source raises PQ006 ...
select throws_ok(format('select pgqrs.fork_workflow(%L, null, %L)', :'workflow_id', :'other'),
    'PQ006', null, 'PQ006');
-- TEST: ... and leaves that workflow alone
select results_eq(format('select * from pgqrs.workflows where id = %L', :'other'),
    'select * from other_before', 'unchanged');

select * from finish();
rollback;
