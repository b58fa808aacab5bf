begin;
select plan(6);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id as first_id from pgqrs.start_workflow('wf', '{"n": 1}', p_idempotency_key => 'order-42') \gset
select pgqrs_test.advance_clock('1 minute') \gset
select * from pgqrs.start_workflow('wf', '{"n": 1}', p_idempotency_key => 'order-42',
                                   p_run_at => :'t0'::timestamptz + interval '1 hour',
                                   p_max_recoveries => 1) \gset

-- TEST: the same key, name and input return the existing workflow with created = false
select is(:'workflow_id'::uuid, :'first_id'::uuid, 'same id');
select ok(not :'created'::boolean, 'created is false');
select is(:'status'::text, 'PENDING', 'its current status');
select is((select count(*) from pgqrs.workflows where idempotency_key = 'order-42'), 1::bigint,
    'one row holds the key');
-- TEST: the repeat changes nothing: neither when it is available nor its recovery budget
select is(w.available_at, :'t0'::timestamptz, 'available_at unchanged') from pgqrs_test.workflow(:'first_id') w;
select is(w.max_recoveries, 5, 'max_recoveries unchanged') from pgqrs_test.workflow(:'first_id') w;

select * from finish();
rollback;
