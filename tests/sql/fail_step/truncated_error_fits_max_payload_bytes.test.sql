begin;
select plan(1);

-- Regression: _error_object once kept limit / 2 *characters*, so multibyte text (here
-- three-byte characters under a 10 KB limit) made the cut-down error larger than the limit.

select * from pgqrs_test.running_workflow() \gset
select set_config('pgqrs.max_payload_bytes', '10000', true) \gset
select pgqrs.fail_step(:'workflow_id', 'parse', :token, jsonb_build_object('message', repeat(chr(8364), 20000))) \gset

-- TEST: above about 1 KB the cut-down error fits the limit it was cut for (_error_object: "cut
-- down to fit pgqrs.max_payload_bytes"), whatever the characters of its message
-- (measured as _check_payload does, on the uncompressed value: the stored copy is compressed)
select cmp_ok(pg_column_size(s.error::text::jsonb), '<=', 10000, 'a message of 3-byte characters, limit 10000')
  from pgqrs_test.step(:'workflow_id', 'parse') s;

select * from finish();
rollback;
