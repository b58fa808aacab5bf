begin;
select plan(4);

select pgqrs_test.dead_workflow() as wf \gset
select lease_token as dead_token from pgqrs_test.workflow(:'wf') \gset

-- TEST: a DEAD workflow can be cancelled: CANCELLED with pgqrs.Cancelled, token + 1
select is(pgqrs.cancel_workflow(:'wf', 'giving up'), true, 'returns true');
select is(w.status, 'CANCELLED', 'CANCELLED') from pgqrs_test.workflow(:'wf') w;
select is(w.error ->> 'type', 'pgqrs.Cancelled', 'the crash-loop error is replaced') from pgqrs_test.workflow(:'wf') w;
select is(w.lease_token, :dead_token::bigint + 1, 'token + 1') from pgqrs_test.workflow(:'wf') w;

select * from finish();
rollback;
