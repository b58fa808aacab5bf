begin;
select plan(5);

-- A role with USAGE on the schema and nothing else, then EXECUTE on the two notification
-- functions: the grant an application or monitoring role receives (docs/security.md).
create role pgqrs_test_notify_app nologin;
grant usage on schema pgqrs to pgqrs_test_notify_app;

set local role pgqrs_test_notify_app;
-- TEST: without a grant the role cannot learn the key nor any tag (42501): a stranger may LISTEN
-- but cannot tell which workflow a notification is about
select throws_ok($$select pgqrs.notify_tag('work:wf')$$, '42501', null, 'notify_tag: 42501');
select throws_ok('select pgqrs.notify_key()', '42501', null, 'notify_key: 42501');
reset role;

grant execute on function pgqrs.notify_tag(text), pgqrs.notify_key() to pgqrs_test_notify_app;
select pgqrs.notify_tag('work:wf') as tag, encode(pgqrs.notify_key(), 'hex') as key \gset
set local role pgqrs_test_notify_app;
-- TEST: granted, it gets the same tag and key as the owner
select is(pgqrs.notify_tag('work:wf'), :'tag', 'notify_tag');
select is(encode(pgqrs.notify_key(), 'hex'), :'key', 'notify_key');
-- TEST: and still nothing else: the key's table stays closed
select throws_ok('select * from pgqrs.instance', '42501', null, 'pgqrs.instance: 42501');
reset role;

select * from finish();
rollback;
