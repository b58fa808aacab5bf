begin;
select plan(2);

-- TEST: a worker must serve at least one workflow name: an empty list raises PQ008 ...
select throws_ok($$select pgqrs.register_worker('worker-a', array[]::text[])$$,
    'PQ008', null, 'empty list: PQ008');
-- TEST: ... and records nothing
select is((select count(*) from pgqrs.workers), 0::bigint, 'no worker was recorded');

select * from finish();
rollback;
