begin;
select plan(3);

select set_config('pgqrs.max_payload_bytes', '100', true) \gset

-- TEST: an input larger than pgqrs.max_payload_bytes is refused and nothing is stored
select throws_ok(
    format('select pgqrs.create_workflow(%L, %L)', 'too-big', jsonb_build_object('data', repeat('x', 200))),
    'PQ007', null, 'input over the limit: PQ007');
select is((select count(*) from pgqrs.workflows where name = 'too-big'), 0::bigint,
    'no workflow was inserted');
select lives_ok($$select pgqrs.create_workflow('small', '{"data": "x"}')$$,
    'an input under the limit is accepted');

select * from finish();
rollback;
