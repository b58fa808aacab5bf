begin;
select plan(1);

select set_config('pgqrs.max_payload_bytes', 'lots', true) \gset

-- TEST: pgqrs.max_payload_bytes must be an integer; any other value fails writes with a payload
select throws_ok($$select pgqrs.create_workflow('wf', '{}')$$, '22P02', null, 'a non-integer limit: 22P02');

select * from finish();
rollback;
