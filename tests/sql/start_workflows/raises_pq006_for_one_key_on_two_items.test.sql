begin;
select plan(3);

select count(*) as before from pgqrs.workflows \gset

-- TEST: two items of one call with the same key raise PQ006, with the same input or not
select throws_ok($$select pgqrs.start_workflows('wf-bulk-twice', '[1, 2, 1]', array['bt-1', 'bt-2', 'bt-1'])$$,
    'PQ006', 'pgqrs: item 3 has the same idempotency key as another item', 'same input');
select throws_ok($$select pgqrs.start_workflows('wf-bulk-twice', '[1, 2]', array['bt-1', 'bt-1'])$$,
    'PQ006', null, 'another input');
-- TEST: nothing is enqueued
select is(count(*), :before::bigint, 'no workflow added') from pgqrs.workflows;

select * from finish();
rollback;
