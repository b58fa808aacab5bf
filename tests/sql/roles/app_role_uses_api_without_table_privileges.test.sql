begin;
select plan(10);

-- An application role set up as docs/sql-api.md ("Roles") says: USAGE on the schema and EXECUTE
-- on the API functions, nothing else.
create role pgqrs_test_app nologin;
grant usage on schema pgqrs to pgqrs_test_app;
do $$
declare
    v_fn regprocedure;
begin
    for v_fn in
        select p.oid from pg_proc p where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
    loop
        execute format('grant execute on function %s to pgqrs_test_app', v_fn);
    end loop;
end
$$;
set local role pgqrs_test_app;

-- TEST: the role drives a workflow through the API
select workflow_id from pgqrs.create_workflow('wf', '{"n": 1}') \gset
select is(current_user::text, 'pgqrs_test_app', 'running as the application role');
select is(a.token, 1::bigint, 'acquire_workflow')
  from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') a;
select lives_ok(format('select pgqrs.complete_step(%L, %L, 1, %L)', :'workflow_id', 'fetch', '1'),
    'complete_step');
select lives_ok(format('select pgqrs.complete_workflow(%L, 1, %L)', :'workflow_id', '"done"'),
    'complete_workflow');
select is(g.status, 'SUCCESS', 'get_workflow') from pgqrs.get_workflow(:'workflow_id') g;

-- TEST: it cannot touch the tables directly
select throws_ok('select * from pgqrs.workflows', '42501', null, 'no SELECT on workflows');
select throws_ok($$insert into pgqrs.workflows (id, name, created_at, updated_at)
                   values (gen_random_uuid(), 'x', now(), now())$$,
    '42501', null, 'no INSERT on workflows');
select throws_ok($$update pgqrs.workflows set status = 'FAILED'$$, '42501', null, 'no UPDATE on workflows');
select throws_ok('select * from pgqrs.steps', '42501', null, 'no SELECT on steps');

-- TEST: nor call the private functions
select throws_ok($$select pgqrs._check_text('x', 'y', 1)$$, '42501', null, 'no EXECUTE on _check_text');

reset role;

select * from finish();
rollback;
