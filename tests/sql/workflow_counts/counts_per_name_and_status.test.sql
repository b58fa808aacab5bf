begin;
select plan(1);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.new_workflow('wf') \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset
select pgqrs_test.queued_workflow('wf') \gset
select pgqrs_test.queued_workflow('report') \gset
select * from pgqrs_test.claimed_workflow('worker-a', p_name => 'done') \gset
select pgqrs.complete_workflow(:'workflow_id', :token, '"ok"') \gset
select pgqrs_test.dead_workflow() \gset

-- TEST: one row per (name, status) with how many and the oldest creation time, by name and status
select results_eq(
    'select name, status, count, oldest from pgqrs.workflow_counts()',
    format($$values ('done', 'SUCCESS', 1::bigint, %2$L::timestamptz),
                    ('report', 'PENDING', 1::bigint, %2$L::timestamptz),
                    ('wf', 'PENDING', 2::bigint, %1$L::timestamptz),
                    ('wf-dead', 'DEAD', 1::bigint, %2$L::timestamptz)$$, :'t0', :'t1'),
    'the counts');

select * from finish();
rollback;
