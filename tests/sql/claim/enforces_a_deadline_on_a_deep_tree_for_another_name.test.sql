begin;
select plan(5);

-- A root with a deadline and a chain of 1000 descendants; a worker serving another name.
select pgqrs_test.set_clock() as t0 \gset
select workflow_id as root from pgqrs.submit_workflow('wf-root', '{}', '{"queue": false, "timeout_seconds": 60}') \gset
select pgqrs_test.child_chain(:'root', 1000) as chain \gset
select pgqrs_test.worker('worker-a', array['wf-other']) \gset
select pgqrs_test.queued_workflow('wf-other') as other \gset
select pgqrs_test.advance_clock('61 seconds') as t1 \gset

-- TEST: a claim for an unrelated name enforces the passed deadline on the whole tree without
-- error (no 54001) and hands out its own work
select results_eq($$select workflow_id from pgqrs.claim('worker-a', gen_random_uuid())$$,
                  format('values (%L::uuid)', :'other'), 'the other workflow is claimed');
-- TEST: the root is CANCELLED by its deadline ...
select is(w.status || ' ' || (w.error ->> 'type'), 'CANCELLED pgqrs.DeadlineExceeded', 'the root')
  from pgqrs_test.workflow(:'root') w;
-- TEST: ... and so is every descendant, naming its parent
select is((select count(*) from pgqrs.workflows w
            where w.id = any (:'chain'::uuid[]) and w.status = 'CANCELLED' and w.finished_at = :'t1'
              and w.error ->> 'type' = 'pgqrs.Cancelled'),
          1000::bigint, 'the 1000 descendants');
select is((select count(*) from pgqrs.deferred), 0::bigint, 'nothing deferred');
-- TEST: none of them is claimable any more
select is((select count(*) from pgqrs.workflows w where w.name = 'wf-chain' and w.status <> 'CANCELLED'),
          0::bigint, 'no chain workflow left to run');

select * from finish();
rollback;
