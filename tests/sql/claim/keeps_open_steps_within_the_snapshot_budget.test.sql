begin;
select plan(2);

-- In run order: a (400 kB), b begun (open), c (400 kB), d (400 kB: past 1 MiB), e begun (open).
select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 600) \gset
select pgqrs.record_step(:'workflow_id', 'a', :token, 1, pgqrs_test.big_string(400000)) \gset
select status from pgqrs.begin_step(:'workflow_id', 'b', :token, 2) \gset
select pgqrs.record_step(:'workflow_id', 'c', :token, 3, pgqrs_test.big_string(400000)) \gset
select pgqrs.record_step(:'workflow_id', 'd', :token, 4, pgqrs_test.big_string(400000)) \gset
select status from pgqrs.begin_step(:'workflow_id', 'e', :token, 5) \gset
select pgqrs.release_workflow(:'workflow_id', :token) \gset
select steps from pgqrs.claim('worker-a', gen_random_uuid(), 1000) \gset

-- TEST: the steps without an outcome that come before the cut are listed under "#open" ...
select is((:'steps'::jsonb) - 'a' - 'c', '{"#open": {"b": 2}, "#more": true}'::jsonb,
          'a and c, b under #open, then #more');
-- TEST: ... and those after it are left out with the finished ones
select ok(not ((:'steps'::jsonb) ? 'd') and not ((:'steps'::jsonb) -> '#open' ? 'e'), 'no d, no e');

select * from finish();
rollback;
