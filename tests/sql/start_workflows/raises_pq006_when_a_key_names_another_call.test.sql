begin;
select plan(4);

select count(*) as made from pgqrs.start_workflows('wf-bulk-clash', '[1, 2]', array['bc-1', 'bc-2']) \gset
select count(*) as before from pgqrs.workflows \gset

-- TEST: a key that names a workflow with another input raises PQ006
select throws_ok($$select pgqrs.start_workflows('wf-bulk-clash', '[3, 20]', array['bc-3', 'bc-2'])$$,
    'PQ006', null, 'another input');
-- TEST: a key that names a workflow of another name raises PQ006
select throws_ok($$select pgqrs.start_workflows('wf-bulk-other', '[1]', array['bc-1'])$$,
    'PQ006', null, 'another name');
-- TEST: and nothing is enqueued, not even the items before it
select is(count(*), :before::bigint, 'no workflow added') from pgqrs.workflows;
select ok(not exists (select from pgqrs.workflows where idempotency_key = 'bc-3'), 'not bc-3');

select * from finish();
rollback;
