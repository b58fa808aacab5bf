begin;
select plan(7);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-rate-a', array['wf']) \gset
select pgqrs_test.worker('wq-rate-b', array['wf']) \gset
select pgqrs.set_queue('cq-rate', '{"rate_limit": 2, "rate_period_seconds": 60}') \gset
select pgqrs_test.fill_queue('cq-rate', 5) as ids \gset

-- TEST: at most rate_limit first starts per period, across workers
select pgqrs_test.claim_ids('wq-rate-a', 10, 3600) as started \gset
select is(cardinality(:'started'::uuid[]), 2, 'two start');
select is(cardinality(pgqrs_test.claim_ids('wq-rate-b', 10)), 0, 'another worker: none');
select pgqrs_test.advance_clock('59 seconds') \gset
select is(cardinality(pgqrs_test.claim_ids('wq-rate-b', 10)), 0, 'none 59 s later');
-- TEST: a resumed workflow (suspended, then due) needs no permit
select pgqrs.suspend_workflow((:'started'::uuid[])[1], pgqrs_test.token((:'started'::uuid[])[1]), pgqrs.now()) \gset
select is(pgqrs_test.claim_ids('wq-rate-b', 10), array[(:'started'::uuid[])[1]], 'the resumed one runs, no permit left');
-- TEST: a recovered workflow (its runner's lease expired) needs no permit
select pgqrs_test.complete((:'started'::uuid[])[1]) \gset
select pgqrs.acquire_workflow((:'started'::uuid[])[2], 'wq-rate-a', 0.5) \gset
select pgqrs_test.advance_clock('0.6 seconds') \gset
select results_eq($$select workflow_id, recovered from pgqrs.claim('wq-rate-b', gen_random_uuid(), 10)$$,
                  format('values (%L::uuid, true)', (:'started'::uuid[])[2]),
                  'recovered, while no permit is free');
-- TEST: a period after the first starts, rate_limit more start
select set_config('pgqrs.fake_now', (:'t0'::timestamptz + interval '60 seconds')::text, true) \gset
select is(cardinality(pgqrs_test.claim_ids('wq-rate-a', 10)), 2, 'two more, a period later');
select is(cardinality(pgqrs_test.claim_ids('wq-rate-a', 10)), 0, 'and no third');

select * from finish();
rollback;
