begin;
select plan(9);

-- Look-alikes of functions and operators pgqrs uses, in a schema put before pg_catalog. A call
-- that resolved to one of them would either raise EV001 or return a timestamp in 2000.
create schema evil;
create function evil.now() returns timestamptz
    language sql as $$ select timestamptz '2000-01-01 00:00:00+00' $$;
create function evil.clock_timestamp() returns timestamptz
    language sql as $$ select timestamptz '2000-01-01 00:00:00+00' $$;
create function evil.raise_ev001() returns void language plpgsql
    as $$ begin raise exception 'captured by schema evil' using errcode = 'EV001'; end $$;
create function evil.btrim(text) returns text
    language plpgsql as $$ begin perform evil.raise_ev001(); return $1; end $$;
create function evil.length(text) returns integer
    language plpgsql as $$ begin perform evil.raise_ev001(); return 0; end $$;
create function evil.current_setting(text, boolean) returns text
    language plpgsql as $$ begin perform evil.raise_ev001(); return null; end $$;
create function evil.set_config(text, text, boolean) returns text
    language plpgsql as $$ begin perform evil.raise_ev001(); return null; end $$;
create function evil.gen_random_uuid() returns uuid
    language plpgsql as $$ begin perform evil.raise_ev001(); return null; end $$;
create function evil.pg_column_size(jsonb) returns integer
    language plpgsql as $$ begin perform evil.raise_ev001(); return 0; end $$;
create function evil.jsonb_build_object(text, text, text, jsonb, text, jsonb) returns jsonb
    language plpgsql as $$ begin perform evil.raise_ev001(); return null; end $$;
create function evil.text_eq(text, text) returns boolean
    language plpgsql as $$ begin perform evil.raise_ev001(); return false; end $$;
create operator evil.= (leftarg = text, rightarg = text, function = evil.text_eq);
create function evil.uuid_eq(uuid, uuid) returns boolean
    language plpgsql as $$ begin perform evil.raise_ev001(); return false; end $$;
create operator evil.= (leftarg = uuid, rightarg = uuid, function = evil.uuid_eq);
create temp table outcome (what text, code text);

set local search_path = evil, public, pg_catalog;

-- Drive a workflow through the API (only psql \gset here: no function or operator of ours).
select clock_timestamp() as started \gset
select workflow_id from pgqrs.create_workflow('wf', '{"n": 1}') \gset
select token, lease_expires_at from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 30) \gset
select status as step_status from pgqrs.acquire_step(:'workflow_id', 'fetch', :token) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '{"rows": 3}') \gset
select token as token2, steps from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 30) \gset
select pgqrs.heartbeat(:'workflow_id', :token2) as heartbeat_expiry \gset
select pgqrs.complete_workflow(:'workflow_id', :token2, '{"total": 3}') \gset
do $$
declare
    v_code text;
begin
    begin
        perform pgqrs.create_workflow('   ');
    exception when others then
        get stacked diagnostics v_code = returned_sqlstate;
    end;
    insert into pg_temp.outcome values ('blank name', v_code);
end
$$;

reset search_path;

-- TEST: with the hostile search_path, every call behaved normally
select is(:'step_status'::text, 'EXECUTE', 'acquire_step handed the step out');
select ok(:'lease_expires_at'::timestamptz between :'started'::timestamptz + interval '29 seconds'
                                               and clock_timestamp() + interval '30 seconds',
    'the lease expiry is now + 30 s on the real clock');
select ok(:'heartbeat_expiry'::timestamptz between :'started'::timestamptz + interval '29 seconds'
                                               and clock_timestamp() + interval '30 seconds',
    'the heartbeat expiry is now + 30 s on the real clock');
select is(:'steps'::jsonb, '{"fetch": {"status": "SUCCESS", "output": {"rows": 3}, "error": null}}'::jsonb,
    'acquire_workflow built the steps object');
select is(:token2::bigint, 2::bigint, 'the re-acquire got token 2');
select is(w.status, 'SUCCESS', 'the workflow completed') from pgqrs.get_workflow(:'workflow_id') w;
select is(w.output, '{"total": 3}'::jsonb, 'with its output') from pgqrs.get_workflow(:'workflow_id') w;
select ok(w.created_at > '2001-01-01', 'created_at is on the real clock') from pgqrs.get_workflow(:'workflow_id') w;
select is(o.code, 'PQ008', 'a blank name still raises PQ008') from outcome o where o.what = 'blank name';

select * from finish();
rollback;
