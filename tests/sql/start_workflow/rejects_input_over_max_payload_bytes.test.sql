begin;
select plan(2);

select set_config('pgqrs.max_payload_bytes', '100', true) \gset

-- TEST: an input larger than pgqrs.max_payload_bytes raises PQ007 and nothing is stored
select throws_ok(
    format('select * from pgqrs.start_workflow(%L, %L)', 'too-big', jsonb_build_object('data', repeat('x', 200))),
    'PQ007', null, 'input over the limit: PQ007');
select is((select count(*) from pgqrs.workflows where name = 'too-big'), 0::bigint,
    'no workflow was inserted');

select * from finish();
rollback;
