begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 10) \gset
select pgqrs_test.advance_clock('7 seconds') as t1 \gset
select pgqrs.heartbeat(:'workflow_id', :token) as expires \gset

-- TEST: a heartbeat extends the lease to now + the lease length it was granted with
select is(:'expires'::timestamptz, :'t1'::timestamptz + interval '10 seconds', 'returns now + 10 s');
select is(w.lease_expires_at, :'t1'::timestamptz + interval '10 seconds', 'the row holds the new expiry')
  from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint, 'the token is unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
