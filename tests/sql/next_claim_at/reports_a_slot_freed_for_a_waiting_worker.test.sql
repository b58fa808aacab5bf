begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-ncw-a', array['wf']) \gset
select pgqrs.set_queue('cq-ncw', '{"concurrency": 1}') \gset
select pgqrs_test.fill_queue('cq-ncw', 2) \gset
select pgqrs_test.claim_ids('wq-ncw-a', 2) \gset

-- TEST: a full queue's work is not reported (a slot freed sends NOTIFY pgqrs_work): only the
-- expiry of the running workflow's lease
select is(pgqrs.next_claim_at('wq-ncw-a'), :'t0'::timestamptz + interval '30 seconds',
          'full: the lease''s expiry');
-- TEST: a slot freed while the worker waits for the queue is reported as claimable now, for
-- the run that freed it may not have seen the worker waiting (its NOTIFY is then not sent)
select pgqrs_test.complete(id) from pgqrs.workflows
 where queue = 'cq-ncw' and status = 'RUNNING' \gset
select is(pgqrs.next_claim_at('wq-ncw-a'), :'t0'::timestamptz, 'a free slot: now');
-- TEST: it takes the queue's wake-up lock for a moment only
select is_empty($$select from pg_locks where locktype = 'advisory' and classid = 0
                   and objid = 1885827442 and pid = pg_backend_pid() and mode = 'ExclusiveLock'$$,
                'no lock left');

select * from finish();
rollback;
