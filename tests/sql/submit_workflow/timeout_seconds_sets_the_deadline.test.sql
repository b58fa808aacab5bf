begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id as a from pgqrs.submit_workflow('wf', '{"n": 1}', '{"timeout_seconds": 90}') \gset
select workflow_id as b from pgqrs.submit_workflow('wf', '{"n": 2}',
    '{"timeout_seconds": 90, "deadline": "2030-01-01 00:00:30+00"}') \gset

-- TEST: timeout_seconds sets the deadline to now + timeout ...
select is(w.deadline_at, :'t0'::timestamptz + interval '90 seconds', 'now + 90 s') from pgqrs_test.workflow(:'a') w;
-- TEST: ... or to the deadline option when that comes first
select is(w.deadline_at, '2030-01-01 00:00:30+00'::timestamptz, 'the earlier of the two') from pgqrs_test.workflow(:'b') w;

select * from finish();
rollback;
