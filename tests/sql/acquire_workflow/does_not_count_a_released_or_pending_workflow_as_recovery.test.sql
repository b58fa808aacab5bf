begin;
select plan(3);

select * from pgqrs_test.running_workflow('runner-a', 30) \gset

-- TEST: the first acquire of a PENDING workflow is not a recovery
select is(w.recoveries, 0, 'first acquire: recoveries 0') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: acquiring a released workflow (no owner) is not a recovery either
select pgqrs.release_workflow(:'workflow_id', :token) \gset
select token as token2 from pgqrs.acquire_workflow(:'workflow_id', 'runner-b', 30) \gset
select is(:token2::bigint, :token::bigint + 2, 'token 3: the release moved it on, the grant again');
select is(w.recoveries, 0, 'after release: recoveries 0') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
