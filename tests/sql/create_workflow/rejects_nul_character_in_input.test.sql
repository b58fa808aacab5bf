begin;
select plan(1);

-- TEST: a \u0000 escape cannot be stored in jsonb
select throws_ok($$select pgqrs.create_workflow('wf', '{"x": "a\u0000b"}')$$, '22P05', null,
    '\u0000 in a string: 22P05');

select * from finish();
rollback;
