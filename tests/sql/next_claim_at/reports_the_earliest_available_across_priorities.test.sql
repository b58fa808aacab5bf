begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-ncpr-a', array['wf']) \gset
-- A high-priority workflow due in an hour, a low-priority one due in a minute, in the default
-- queue and in a queue with a limit.
select count(*) from (values ('default'), ('cq-ncpr')) v (q),
    lateral (select pgqrs_test.in_queue(q, jsonb_build_object('priority', 10, 'run_at', :'t0'::timestamptz + interval '1 hour')),
                    pgqrs_test.in_queue(q, jsonb_build_object('priority', -5, 'run_at', :'t0'::timestamptz + interval '1 minute'))) x \gset
select pgqrs.set_queue('cq-ncpr', '{"concurrency": 10}') \gset

-- TEST: the earliest time any of them becomes claimable, whatever its priority
select is(pgqrs.next_claim_at('wq-ncpr-a'), :'t0'::timestamptz + interval '1 minute', 'in a minute');
select pgqrs.delete_queue('cq-ncpr') \gset
select is(pgqrs.next_claim_at('wq-ncpr-a'), :'t0'::timestamptz + interval '1 minute', 'in a minute, without limits too');

select * from finish();
rollback;
