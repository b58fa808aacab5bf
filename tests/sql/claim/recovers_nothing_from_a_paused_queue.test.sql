begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-recp-a', array['wf']) \gset
select pgqrs_test.fill_queue('cq-recp', 1) as ids \gset
select pgqrs_test.claim_ids('wq-recp-a', 10) \gset
select pgqrs.set_queue('cq-recp', '{"paused": true}') \gset
select pgqrs_test.expire_lease((:'ids'::uuid[])[1]) \gset

-- TEST: a workflow whose runner died in a paused queue waits for the queue to be resumed
select is(pgqrs_test.claim_ids('wq-recp-a', 10), '{}'::uuid[], 'not recovered while paused');
select is(w.recoveries, 0, 'no recovery counted') from pgqrs_test.workflow((:'ids'::uuid[])[1]) w;
-- TEST: then it is recovered
select pgqrs.set_queue('cq-recp', '{"paused": false}') \gset
select is(pgqrs_test.claim_ids('wq-recp-a', 10), :'ids'::uuid[], 'recovered once resumed');

select * from finish();
rollback;
