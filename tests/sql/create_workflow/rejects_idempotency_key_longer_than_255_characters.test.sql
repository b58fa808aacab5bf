begin;
select plan(1);

-- TEST: idempotency keys are limited to 255 characters
select throws_ok(format('select pgqrs.create_workflow(%L, %L, null, %L)', 'wf', '{}', repeat('k', 256)),
    'PQ008', null, 'a 256-character key: PQ008');

select * from finish();
rollback;
