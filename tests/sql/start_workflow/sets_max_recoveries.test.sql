begin;
select plan(3);

select pgqrs_test.queued_workflow() as default_id \gset
select pgqrs_test.queued_workflow(p_max_recoveries => 2) as two_id \gset
select pgqrs_test.queued_workflow(p_max_recoveries => 0) as zero_id \gset

-- TEST: max_recoveries is 5 by default, or the given value (0 allowed: no recovery at all)
select is(w.max_recoveries, 5, 'default 5') from pgqrs_test.workflow(:'default_id') w;
select is(w.max_recoveries, 2, 'custom 2') from pgqrs_test.workflow(:'two_id') w;
select is(w.max_recoveries, 0, 'zero') from pgqrs_test.workflow(:'zero_id') w;

select * from finish();
rollback;
