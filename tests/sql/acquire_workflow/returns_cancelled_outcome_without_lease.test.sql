begin;
select plan(4);

select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.cancel_workflow(:'workflow_id', 'stop') \gset
create temp table acquired as select * from pgqrs.acquire_workflow(:'workflow_id', 'runner-a');

-- TEST: CANCELLED is final: acquire_workflow takes no lease and returns the stored error
select is(a.status, 'CANCELLED', 'CANCELLED') from acquired a;
select is(a.error, '{"type": "pgqrs.Cancelled", "message": "stop", "traceback": null}'::jsonb, 'the error') from acquired a;
select is(a.lease_expires_at, null, 'no lease') from acquired a;
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
