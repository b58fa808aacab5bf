begin;
select plan(1);

select (extract(epoch from clock_timestamp()) * 1000)::bigint - 1 as before_ms \gset
select workflow_id from pgqrs.create_workflow('wf') \gset
select (extract(epoch from clock_timestamp()) * 1000)::bigint + 1 as after_ms \gset

-- TEST: the first 48 bits of the id are the creation time in Unix milliseconds
select ok(
    ('x' || substr(replace(:'workflow_id', '-', ''), 1, 12))::bit(48)::bigint
        between :before_ms and :after_ms,
    'the id''s timestamp is the real creation time');

select * from finish();
rollback;
