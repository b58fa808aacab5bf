begin;
select plan(6);

select * from pgqrs_test.running_workflow('runner-a') \gset

-- TEST: a NULL, blank or over-255-character event key raises PQ008
select throws_ok(format($$select pgqrs.set_event(%L, 'publish', %s, 1, null, '1')$$, :'workflow_id', :token),
    'PQ008', null, 'NULL key: PQ008');
select throws_ok(format($$select pgqrs.set_event(%L, 'publish', %s, 1, ' ', '1')$$, :'workflow_id', :token),
    'PQ008', null, 'blank key: PQ008');
select throws_ok(format($$select pgqrs.set_event(%L, 'publish', %s, 1, %L, '1')$$, :'workflow_id', :token, repeat('k', 256)),
    'PQ008', null, '256 characters: PQ008');
-- TEST: a value larger than pgqrs.max_payload_bytes raises PQ007
select set_config('pgqrs.max_payload_bytes', '100', true) \gset
select throws_ok(format($$select pgqrs.set_event(%L, 'publish', %s, 1, 'big', %L)$$, :'workflow_id', :token,
                        jsonb_build_object('data', repeat('x', 200))),
    'PQ007', null, 'value over the limit: PQ007');
-- TEST: and nothing is recorded
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');
select is((select count(*) from pgqrs.events where workflow_id = :'workflow_id'), 0::bigint, 'no event');

select * from finish();
rollback;
