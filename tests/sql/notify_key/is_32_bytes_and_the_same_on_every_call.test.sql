begin;
select plan(3);

-- TEST: the key is 32 bytes ...
select is(octet_length(pgqrs.notify_key()), 32, '32 bytes');
-- TEST: ... the same on every call ...
select is(pgqrs.notify_key(), pgqrs.notify_key(), 'the same twice');
-- TEST: ... and it is this install's stored secret
select is(pgqrs.notify_key(), (select i.notify_key from pgqrs.instance i), 'pgqrs.instance.notify_key');

select * from finish();
rollback;
