begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-ncp-a', array['wf']) \gset
select pgqrs.set_queue('cq-ncp', '{"paused": true}') \gset
select pgqrs_test.fill_queue('cq-ncp', 1) \gset
select pgqrs_test.fill_queue('cq-ncp', 1, '{"concurrency_key": "k"}') \gset

-- TEST: the work of a paused queue is not reported (resuming it sends NOTIFY pgqrs_work)
select is(pgqrs.next_claim_at('wq-ncp-a'), null, 'nothing');
-- TEST: resumed, it is
select pgqrs.set_queue('cq-ncp', '{"paused": false}') \gset
select is(pgqrs.next_claim_at('wq-ncp-a'), :'t0'::timestamptz, 'now');

select * from finish();
rollback;
