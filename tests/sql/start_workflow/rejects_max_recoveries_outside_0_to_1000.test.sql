begin;
select plan(4);

-- TEST: max_recoveries over 1000 raises PQ008 (below 0: rejects_negative_max_recoveries) ...
select throws_ok($$select * from pgqrs.start_workflow('wf-recoveries', p_max_recoveries => 1001)$$,
    'PQ008', null, '1001: PQ008');
-- TEST: ... and creates nothing
select is((select count(*) from pgqrs.workflows where name = 'wf-recoveries'), 0::bigint, 'nothing created');
-- TEST: 0 and 1000 are accepted
select workflow_id as low from pgqrs.start_workflow('wf-recoveries', '1', p_max_recoveries => 0) \gset
select workflow_id as high from pgqrs.start_workflow('wf-recoveries', '2', p_max_recoveries => 1000) \gset
select is(w.max_recoveries, 0, '0') from pgqrs_test.workflow(:'low') w;
select is(w.max_recoveries, 1000, '1000') from pgqrs_test.workflow(:'high') w;

select * from finish();
rollback;
