begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 10) \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
select pgqrs_test.advance_clock('7 seconds') as t1 \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e"') \gset

-- TEST: recording a failed attempt extends the lease by its length, keeping the token
select is(w.lease_expires_at, :'t1'::timestamptz + interval '10 seconds', 'expires at now + 10 s')
  from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint, 'the token is unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
