begin;
select plan(1);

select workflow_id from pgqrs.create_workflow('wf', '{}', '0190f3a4-0000-7000-8000-000000000001') \gset

-- TEST: reusing an id with a different workflow name is an idempotency conflict
select throws_ok(
    $$select pgqrs.create_workflow('other', '{}', '0190f3a4-0000-7000-8000-000000000001')$$,
    'PQ006', null, 'same id, different name: PQ006');

select * from finish();
rollback;
