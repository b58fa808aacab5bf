begin;
select plan(1);

select pgqrs_test.worker('worker-a', array['wf']) \gset

-- TEST: no workflow, no row (a served name without workflows is not listed)
select is_empty('select * from pgqrs.workflow_counts()', 'no rows');

select * from finish();
rollback;
