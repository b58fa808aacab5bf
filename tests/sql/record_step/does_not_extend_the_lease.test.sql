begin;
select plan(6);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs_test.advance_clock('20 seconds') \gset
select ctid as ctid_before from pgqrs.workflows where id = :'workflow_id' \gset
select pgqrs.record_step(:'workflow_id', 'load', :token, 2, '1') \gset

-- TEST: recording a new step leaves the lease alone (the heartbeat extends it): it only takes
-- a share lock on the workflow row, never writes it
select is(w.lease_expires_at, :'t0'::timestamptz + interval '30 seconds', 'new step: expiry unchanged')
  from pgqrs_test.workflow(:'workflow_id') w;
select is((select ctid::text from pgqrs.workflows where id = :'workflow_id'), :'ctid_before',
    'new step: the workflow row is not rewritten');

-- TEST: nor does completing a begun step, or a repeat (contract: "Does not extend the lease";
-- "Locks: the workflow row (FOR SHARE ...)")
select pgqrs.record_step(:'workflow_id', 'fetch', :token, 1, '1') \gset
select is(w.lease_expires_at, :'t0'::timestamptz + interval '30 seconds', 'begun step: expiry unchanged')
  from pgqrs_test.workflow(:'workflow_id') w;
select is((select ctid::text from pgqrs.workflows where id = :'workflow_id'), :'ctid_before',
    'begun step: the workflow row is not rewritten');
select ctid as ctid_before from pgqrs.workflows where id = :'workflow_id' \gset
select lease_expires_at as expires from pgqrs_test.workflow(:'workflow_id') \gset
select pgqrs_test.advance_clock('5 seconds') \gset
select pgqrs.record_step(:'workflow_id', 'load', :token, 2, '1') \gset
select is(w.lease_expires_at, :'expires'::timestamptz, 'repeat: expiry unchanged')
  from pgqrs_test.workflow(:'workflow_id') w;
select is((select ctid::text from pgqrs.workflows where id = :'workflow_id'), :'ctid_before',
    'repeat: the workflow row is not rewritten');

select * from finish();
rollback;
