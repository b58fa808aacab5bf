begin;
select plan(1);

select workflow_id from pgqrs.start_workflow('wf') \gset

-- TEST: without p_id the id is a new time-ordered (version 7) UUID
select is(substr(:'workflow_id', 15, 1), '7', 'version 7');

select * from finish();
rollback;
