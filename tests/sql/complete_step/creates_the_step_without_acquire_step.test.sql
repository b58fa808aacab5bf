begin;
select plan(4);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '"ok"') \gset

-- TEST: a step never acquired is created directly as SUCCESS, attempt 1
select is(s.status, 'SUCCESS', 'status is SUCCESS') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.attempt, 1, 'attempt 1') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.lease_token, :token::bigint, 'holds the token') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.started_at, :'t0'::timestamptz, 'started_at is now') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
