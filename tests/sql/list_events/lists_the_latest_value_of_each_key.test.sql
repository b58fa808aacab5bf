begin;
select plan(3);

select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs.set_event(:'workflow_id', 'e1', :token, 1, 'status', '"paid"');
select pgqrs_test.advance_clock('1 minute') \gset
select pgqrs.set_event(:'workflow_id', 'e2', :token, 2, 'status', '"shipped"');
select pgqrs.set_event(:'workflow_id', 'e3', :token, 3, 'carrier', '"ups"');

-- TEST: one row per key, by key, with its latest value
select results_eq(
    format($$select key, value from pgqrs.list_events(%L)$$, :'workflow_id'),
    $$values ('carrier'::text, '"ups"'::jsonb), ('status', '"shipped"')$$,
    'carrier, then status with its latest value');
-- TEST: set_at is when the value was set
select is((select set_at from pgqrs.list_events(:'workflow_id') where key = 'status'),
          '2030-01-01 00:01:00+00'::timestamptz, 'set a minute later');
-- TEST: an unknown workflow raises PQ001, a bad limit PQ008
select throws_ok($$select * from pgqrs.list_events(gen_random_uuid())$$, 'PQ001', null, 'unknown id');

select * from finish();
rollback;
