begin;
select plan(1);

-- TEST: without the setting, the limit is 1 MiB
select throws_ok(
    format('select pgqrs.create_workflow(%L, %L)', 'too-big', jsonb_build_object('data', repeat('x', 1100000))),
    'PQ007', null, 'an input of 1.1 MB: PQ007');

select * from finish();
rollback;
