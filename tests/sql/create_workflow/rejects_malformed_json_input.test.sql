begin;
select plan(1);

-- TEST: malformed JSON is rejected by jsonb input
select throws_ok($$select pgqrs.create_workflow('wf', '{"x": ')$$, '22P02', null,
    'truncated JSON: 22P02');

select * from finish();
rollback;
