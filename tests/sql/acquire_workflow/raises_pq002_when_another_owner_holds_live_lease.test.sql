begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
select pgqrs_test.advance_clock('29 seconds') \gset

-- TEST: another owner is refused while the lease is live
select throws_ok(
    format('select * from pgqrs.acquire_workflow(%L, %L)', :'workflow_id', 'runner-b'),
    'PQ002', null, 'live lease of runner-a: PQ002');
select is(
    (select detail::jsonb ->> 'owner'
       from pgqrs_test.error_of(format('select * from pgqrs.acquire_workflow(%L, %L)', :'workflow_id', 'runner-b'))),
    'runner-a', 'DETAIL names the holder');

-- TEST: the lease is untouched
select is(w.lease_owner, 'runner-a', 'owner unchanged') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, 1::bigint, 'token unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
