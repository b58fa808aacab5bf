begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
select pgqrs_test.advance_clock('20 seconds') as t1 \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '1') \gset

-- TEST: recording a step extends the lease to now + its lease length
select is(w.lease_expires_at, :'t1'::timestamptz + interval '30 seconds', 'expiry is now + 30 s')
  from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, 'runner-a', 'the owner is unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
