begin;
select plan(4);

-- A workflow with three finished steps of 400 kB each, recorded out of order (parallel steps:
-- position 3 finished first), then released back to the queue.
select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a') \gset
select pgqrs.record_step(:'workflow_id', 's3', :token, 3, pgqrs_test.big_string(400000)) \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs.record_step(:'workflow_id', 's1', :token, 1, pgqrs_test.big_string(400000)) \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs.record_step(:'workflow_id', 's2', :token, 2, pgqrs_test.big_string(400000)) \gset
select pgqrs.release_workflow(:'workflow_id', :token) \gset

-- TEST: a claim of up to 1000 workflows gives each a snapshot of max(1 MiB, 16 MiB / 1000) =
-- 1 MiB of values: the steps are taken in run order (by position) until they pass it, and
-- "#more": true says that some were left out
select steps from pgqrs.claim('worker-a', gen_random_uuid(), 1000) \gset
select set_eq(format('select jsonb_object_keys(%L::jsonb)', :'steps'),
              $$values ('s1'), ('s2'), ('#more')$$, 's1 and s2, then #more');
select is((:'steps'::jsonb) -> 's2' ->> 'position', '2', 's2 with its position');
select is((:'steps'::jsonb) -> '#more', 'true'::jsonb, '"#more": true');
-- TEST: a claim of one workflow has 16 MiB for it: every step, no "#more"
select lease_token as claimed_token from pgqrs.workflows where id = :'workflow_id' \gset
select pgqrs.release_workflow(:'workflow_id', :claimed_token) \gset
select set_eq(format('select jsonb_object_keys(steps) from pgqrs.claim(%L, gen_random_uuid(), 1)', 'worker-a'),
              $$values ('s1'), ('s2'), ('s3')$$, 'all three, no #more');

select * from finish();
rollback;
