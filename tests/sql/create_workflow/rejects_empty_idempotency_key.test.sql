begin;
select plan(2);

-- TEST: an idempotency key, when given, must not be empty or blank
select throws_ok($$select pgqrs.create_workflow('wf', '{}', null, '')$$, 'PQ008', null,
    'empty key: PQ008');
select throws_ok($$select pgqrs.create_workflow('wf', '{}', null, '  ')$$, 'PQ008', null,
    'blank key: PQ008');

select * from finish();
rollback;
