begin;
select plan(5);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.new_workflow() as root \gset
select pgqrs_test.child_chain(:'root', 1000) as chain \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset

-- TEST: cancelling the root of a chain 1000 children deep works (no 54001, stack depth): the tree
-- is found by one recursive query
select is(pgqrs.cancel_workflow(:'root', 'stop'), true, 'cancelled');
-- TEST: every descendant is CANCELLED at the same time, its token moved on
select is((select count(*) from pgqrs.workflows w
            where w.id = any (:'chain'::uuid[]) and w.status = 'CANCELLED' and w.finished_at = :'t1'
              and w.lease_token = 1),
          1000::bigint, 'the 1000 descendants');
-- TEST: each with an error naming its own parent
select is((select count(*) from pgqrs.workflows w
            where w.id = any (:'chain'::uuid[])
              and w.error ->> 'message' = 'its parent workflow ' || w.parent_id || ' was cancelled'),
          1000::bigint, 'each names its parent');
select is(w.parent_id, (:'chain'::uuid[])[999], 'the deepest one''s parent is the one above it')
  from pgqrs_test.workflow((:'chain'::uuid[])[1000]) w;
-- TEST: nothing was deferred: no row of the tree was held by another transaction
select is((select count(*) from pgqrs.deferred), 0::bigint, 'nothing deferred');

select * from finish();
rollback;
