begin;
select plan(8);

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

create function evil.greatest(timestamptz, timestamptz) returns timestamptz
    language sql as $$ select timestamptz '2000-01-01 00:00:00+00' $$;
create function evil.count(anyelement) returns bigint
    language plpgsql as $$ begin perform evil.raise_ev001(); return 0; end $$;

set local search_path = evil, public, pg_catalog;

-- Drive a worker through the API (only psql \gset here: no function or operator of ours).
select clock_timestamp() as started \gset
select pgqrs.register_worker('worker-a', array['wf'], 2) as registered \gset
select workflow_id from pgqrs.start_workflow('wf', '{"n": 1}') \gset
select workflow_id as claimed_id, token from pgqrs.claim_workflows('worker-a', 5, 30) \gset
select pgqrs.next_claim_at('worker-a') as next_at \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '{"rows": 3}') \gset
select pgqrs.complete_workflow(:'workflow_id', :token, '{"total": 3}') \gset
select running as running_after, alive from pgqrs.list_workers() \gset
select status as counted_status, count as counted from pgqrs.workflow_counts() \gset
select pgqrs.stop_worker('worker-a') as released \gset

reset search_path;

-- TEST: with the hostile search_path, every worker call behaved normally
select is(:'registered'::integer, 0, 'register_worker');
select is(:'claimed_id'::uuid, :'workflow_id'::uuid, 'claim_workflows handed the workflow out');
select is(:token::bigint, 1::bigint, 'with token 1');
select ok(:'next_at'::timestamptz between :'started'::timestamptz + interval '29 seconds'
                                      and clock_timestamp() + interval '30 seconds',
    'next_claim_at is the lease expiry on the real clock');
select is(w.status, 'SUCCESS', 'the workflow completed') from pgqrs.get_workflow(:'workflow_id') w;
select ok(:'alive'::boolean, 'list_workers: alive');
select is(:'counted_status' || ' ' || :'counted', 'SUCCESS 1', 'workflow_counts counted it');
select is(:'released'::integer, 0, 'stop_worker');

select * from finish();
rollback;
