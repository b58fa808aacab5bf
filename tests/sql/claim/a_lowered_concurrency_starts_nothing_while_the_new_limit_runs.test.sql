begin;
select plan(8);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-low-a', array['wf']) \gset
select pgqrs.set_queue('cq-low', '{"concurrency": 4}') \gset
select pgqrs_test.fill_queue('cq-low', 10) \gset
select pgqrs_test.claim_ids('wq-low-a', 10) as running \gset
select is(cardinality(:'running'::uuid[]), 4, 'four run');

-- TEST: lowered to 2 while 4 run: none of them stops, none starts
select pgqrs.set_queue('cq-low', '{"concurrency": 2}') \gset
select is(pgqrs_test.running_in('cq-low'), 4::bigint, 'the four go on');
-- TEST: none starts while as many as the new limit run: after one ends (3 run), after two (2 run)
select pgqrs_test.complete((:'running'::uuid[])[1]) \gset
select is(cardinality(pgqrs_test.claim_ids('wq-low-a', 10)), 0, '3 run: none starts');
select pgqrs_test.complete((:'running'::uuid[])[2]) \gset
select is(cardinality(pgqrs_test.claim_ids('wq-low-a', 10)), 0, '2 run: none starts');
-- TEST: once fewer than the new limit run, one starts, up to the new limit
select pgqrs_test.complete((:'running'::uuid[])[3]) \gset
select is(cardinality(pgqrs_test.claim_ids('wq-low-a', 10)), 1, '1 ran: one starts');
select is(pgqrs_test.running_in('cq-low'), 2::bigint, 'two run');
-- TEST: once the last run above the new limit ends, its slot goes: slots 1 and 2 are left
select pgqrs_test.complete((:'running'::uuid[])[4]) \gset
select is(cardinality(pgqrs_test.claim_ids('wq-low-a', 10)), 1, 'one starts in its place');
select is((select array_agg(slot order by slot) from pgqrs.queue_slots where queue = 'cq-low'),
          array[1, 2], 'slots 1 and 2');

select * from finish();
rollback;
