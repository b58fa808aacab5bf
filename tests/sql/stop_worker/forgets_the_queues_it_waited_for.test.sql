begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-stopw-a', array['wf']) \gset
select pgqrs.set_queue('cq-stopw', '{"concurrency": 1}') \gset
select pgqrs_test.fill_queue('cq-stopw', 2) \gset
select pgqrs_test.claim_ids('wq-stopw-a', 2) \gset

select isnt_empty($$select from pgqrs.queue_waiters where worker = 'wq-stopw-a'$$,
                  'it found the queue full');
-- TEST: a stopped worker waits for nothing (a slot freed there wakes no one for it)
select pgqrs.stop_worker('wq-stopw-a') \gset
select is_empty($$select from pgqrs.queue_waiters where worker = 'wq-stopw-a'$$, 'forgotten');

select * from finish();
rollback;
