begin;
select plan(2);

-- TEST: names are limited to 255 characters
select throws_ok(format('select pgqrs.create_workflow(%L)', repeat('n', 256)), 'PQ008', null,
    'a 256-character name: PQ008');
select lives_ok(format('select pgqrs.create_workflow(%L)', repeat('n', 255)),
    'a 255-character name is accepted');

select * from finish();
rollback;
