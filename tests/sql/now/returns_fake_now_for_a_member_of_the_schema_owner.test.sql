begin;
select plan(3);

-- A role that is not a superuser but a member of the role owning schema pgqrs (as a deployment's
-- migration role would be): it is trusted like the owner.
create role pgqrs_test_clock_member nologin;
select nspowner::regrole as owner from pg_namespace where nspname = 'pgqrs' \gset
grant :"owner" to pgqrs_test_clock_member;
grant usage on schema pgqrs_test to pgqrs_test_clock_member;
set local session authorization pgqrs_test_clock_member;

-- TEST: setup: the session's login role is the member, not a superuser
select is(session_user::text, 'pgqrs_test_clock_member', 'session_user is the member');
select ok(not r.rolsuper, 'not a superuser') from pg_roles r where r.rolname = session_user;
-- TEST: it may fake the clock
select pgqrs_test.set_clock('2099-01-01 00:00:00+00') \gset
select is(pgqrs.now(), '2099-01-01 00:00:00+00'::timestamptz, 'pgqrs.now() is pgqrs.fake_now');

reset session authorization;

select * from finish();
rollback;
