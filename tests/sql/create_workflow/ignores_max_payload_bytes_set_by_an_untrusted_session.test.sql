begin;
select plan(5);

select pgqrs_test.app_role('pgqrs_test_payload_app') \gset
create role pgqrs_test_payload_member nologin;
select nspowner::regrole as owner from pg_namespace where nspname = 'pgqrs' \gset
grant :"owner" to pgqrs_test_payload_member;

-- TEST: a session that is not trusted cannot lower the limit for itself (nor raise it): its
-- pgqrs.max_payload_bytes is ignored and the default (1 MiB) applies
set local session authorization pgqrs_test_payload_app;
select set_config('pgqrs.max_payload_bytes', '100', true) \gset
select lives_ok(format('select pgqrs.create_workflow(%L, %L)', 'wf-payload', jsonb_build_object('data', repeat('x', 200))),
    'an input of 200 bytes passes its limit of 100');
select set_config('pgqrs.max_payload_bytes', '10000000', true) \gset
select throws_ok(format('select pgqrs.create_workflow(%L, %L)', 'wf-payload', jsonb_build_object('data', repeat('x', 1100000))),
    'PQ007', null, 'an input over 1 MiB is refused under its limit of 10 MB');
reset session authorization;

-- TEST: the database's setting (ALTER DATABASE, which only its owner or a superuser may do)
-- applies to it instead
select format('alter database %I set pgqrs.max_payload_bytes = 150', current_database()) as alter_db \gset
:alter_db;
set local session authorization pgqrs_test_payload_app;
select set_config('pgqrs.max_payload_bytes', '10000000', true) \gset
select throws_ok(format('select pgqrs.create_workflow(%L, %L)', 'wf-payload', jsonb_build_object('data', repeat('x', 200))),
    'PQ007', null, 'the database''s 150 bytes apply');
reset session authorization;

-- TEST: a member of the schema owner (trusted) may set it for its session
set local session authorization pgqrs_test_payload_member;
select set_config('pgqrs.max_payload_bytes', '100', true) \gset
select throws_ok(format('select pgqrs.create_workflow(%L, %L)', 'wf-payload-2', jsonb_build_object('data', repeat('x', 200))),
    'PQ007', null, 'its own 100 bytes apply');
select set_config('pgqrs.max_payload_bytes', '1000', true) \gset
select lives_ok(format('select pgqrs.create_workflow(%L, %L)', 'wf-payload-2', jsonb_build_object('data', repeat('x', 200))),
    'and 1000 bytes let 200 pass, above the database''s 150');
reset session authorization;

select * from finish();
rollback;
