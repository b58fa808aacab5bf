-- The clock (pgqrs.now), the version, the SQLSTATE table, and the argument and payload checks
-- every other function uses.

-- version(): the version of the installed SQL, for example '0.2.0'.
create function pgqrs.version()
returns text
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$ select '0.2.0'::text $$;
comment on function pgqrs.version() is 'The version of the installed pgqrs SQL.';

-- min_client_version(): the oldest pgqrs client release whose calls this schema still serves,
-- for example '0.1.0'. A client older than that must be upgraded before it talks to this schema;
-- any later client works (COMPATIBILITY above). Touches no table.
create function pgqrs.min_client_version()
returns text
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$ select '0.1.0'::text $$;
comment on function pgqrs.min_client_version() is
    'The oldest pgqrs client release this schema still serves.';

-- _trusted_session(): true when the role that opened this session (session_user, whatever role
-- it switched to since) is a superuser or a member of the role that owns schema pgqrs. Settings
-- that change pgqrs's rules for everyone (pgqrs.fake_now, a session's pgqrs.max_payload_bytes)
-- are honoured only for such a session: any other role can SET them, but must not be able to
-- move the clock or lift the size limit for the SECURITY DEFINER functions it calls.
create function pgqrs._trusted_session()
returns boolean
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
    select pg_catalog.pg_has_role(session_user, n.nspowner, 'MEMBER')
      from pg_catalog.pg_namespace n
     where n.nspname = 'pgqrs'
$$;
comment on function pgqrs._trusted_session() is
    'Private. True when the session''s login role is a superuser or a member of the schema owner.';

-- now(): the one clock of pgqrs. Returns the setting pgqrs.fake_now when it is set and not empty,
-- otherwise clock_timestamp(). Tests move time with SET pgqrs.fake_now = '...'. Faking time only
-- changes when leases look expired; fencing tokens keep writes safe whatever the clock says. Only
-- a trusted session (the schema owner, a member of it, or a superuser: _trusted_session) may fake
-- the clock: in any other session a fake_now that is set raises 42501, so that no application
-- role can make every lease look expired or every deadline passed. now() runs as its caller (an
-- application role may call it directly), so it makes _trusted_session's check itself instead of
-- calling that private function, which such a role may not execute.
create function pgqrs.now()
returns timestamptz
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_fake text := pg_catalog.current_setting('pgqrs.fake_now', true);
begin
    if v_fake is null or v_fake = '' then
        return pg_catalog.clock_timestamp();
    end if;
    if not coalesce((select pg_catalog.pg_has_role(session_user, n.nspowner, 'MEMBER')
                       from pg_catalog.pg_namespace n
                      where n.nspname = 'pgqrs'), false) then
        raise exception 'pgqrs: role % may not set pgqrs.fake_now', session_user
            using errcode = '42501',
                  hint = 'Only the owner of schema pgqrs (or a member of it) may fake the pgqrs '
                         'clock; RESET pgqrs.fake_now.';
    end if;
    return v_fake::timestamptz;
end
$$;
comment on function pgqrs.now() is
    'The pgqrs clock: pgqrs.fake_now when set by a trusted session (tests), else '
    'clock_timestamp().';

-- error_codes(): the pgqrs SQLSTATEs with their names and meanings. Clients build their error
-- mapping from this table; a test keeps it equal to the codes raised in sql/src.
create function pgqrs.error_codes()
returns table (sqlstate text, name text, description text)
language sql
immutable
security definer
set search_path = pg_catalog, pg_temp
as $$
    values
        ('PQ001', 'workflow_not_found', 'No workflow has that id.'),
        ('PQ002', 'workflow_busy', 'Another owner holds a live lease on the workflow.'),
        ('PQ003', 'lease_lost', 'The fencing token is no longer current: the lease was taken over.'),
        ('PQ004', 'step_failed', 'The step failed before; DETAIL holds the stored error as JSON.'),
        ('PQ005', 'invalid_state', 'The call does not fit the current state of the workflow or step.'),
        ('PQ006', 'idempotency_conflict', 'An id or idempotency key is reused with a different name or input.'),
        ('PQ007', 'payload_too_large', 'A JSON value exceeds pgqrs.max_payload_bytes.'),
        ('PQ008', 'invalid_argument', 'An argument is missing or outside its documented bounds.'),
        ('PQ009', 'worker_not_found', 'No worker is registered under that name.'),
        ('PQ010', 'workflow_code_changed', 'The step called at a position is not the one recorded there.'),
        ('PQ011', 'workflow_cancelled', 'The workflow was cancelled, or its deadline passed.'),
        ('PQ012', 'step_timed_out', 'The step ran past its timeout; its result is not recorded.'),
        ('PQ013', 'value_too_deep', 'A JSON value is nested more than 256 levels deep.')
$$;
comment on function pgqrs.error_codes() is 'The pgqrs SQLSTATEs (class PQ), their names and meanings.';

-- _uuid_v7(): a time-ordered UUID: 48 bits of Unix milliseconds, then the version, then random
-- bits. New rows land at the right edge of the primary-key index, which keeps it hot and compact.
-- On a single server (pgqrs.instance.shard NULL) it is an RFC 9562 version 7 UUID. On a shard of
-- a cluster it is a version 8 UUID (RFC 9562's format for vendor-specific ids) whose 12 bits
-- after the version nibble (the last three hex digits of the third group) hold the shard
-- number, followed by the variant and 62 random bits: the proxy routes every call about a
-- workflow by its id alone, and a caller's own ids (versions 4, 5 and 7) are never mistaken for
-- one (docs/scale-out.md, "Ids"). Reads pgqrs.instance.
create function pgqrs._uuid_v7()
returns uuid
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_bytes bytea := pg_catalog.overlay(
        pg_catalog.uuid_send(pg_catalog.gen_random_uuid()),
        pg_catalog.substr(
            pg_catalog.int8send(
                pg_catalog.floor(extract(epoch from pg_catalog.clock_timestamp()) * 1000)::bigint),
            3),
        1, 6);
    v_shard integer := (select i.shard from pgqrs.instance i);
begin
    if v_shard is null then
        -- gen_random_uuid() is version 4 (0100): bits 52 and 53 make it 7 (0111).
        return pg_catalog.encode(pg_catalog.set_bit(pg_catalog.set_bit(v_bytes, 52, 1), 53, 1),
                                 'hex')::uuid;
    end if;
    return pg_catalog.encode(
        pg_catalog.set_byte(pg_catalog.set_byte(v_bytes, 6, 128 + (v_shard >> 8)), 7,
                            v_shard & 255),
        'hex')::uuid;
end
$$;
comment on function pgqrs._uuid_v7() is
    'Private. A time-ordered UUID: version 7, or version 8 carrying the shard number on a shard.';

-- _check_text(what, value, max_length): raises PQ008 unless value is a string of at most
-- max_length characters with at least one character that is not white space. Used for names,
-- step keys, owners and idempotency keys.
create function pgqrs._check_text(p_what text, p_value text, p_max integer)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_value is null or p_value !~ '[^[:space:]]' then
        raise exception 'pgqrs: % must be a non-empty string', p_what
            using errcode = 'PQ008';
    end if;
    if pg_catalog.length(p_value) > p_max then
        raise exception 'pgqrs: % is % characters long; the limit is %',
            p_what, pg_catalog.length(p_value), p_max
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_text(text, text, integer) is
    'Private. Raises PQ008 unless the value is a non-blank string within the length limit.';

-- _max_payload_bytes(): the payload limit in bytes, 1 MiB by default. A DBA sets it for a
-- database with ALTER DATABASE ... SET pgqrs.max_payload_bytes (which only the database owner or
-- a superuser may do). A trusted session (_trusted_session: tests, the schema owner) may also SET
-- it for itself; in any other session a session or role setting is ignored and the database's
-- setting, or the default, applies. A value that is not an integer raises 22P02.
create function pgqrs._max_payload_bytes()
returns bigint
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_value text := pg_catalog.current_setting('pgqrs.max_payload_bytes', true);
begin
    if v_value is null or v_value = '' then
        return 1048576;  -- the common case: nobody set it
    end if;
    if not pgqrs._trusted_session() then
        select pg_catalog.substr(c, pg_catalog.length('pgqrs.max_payload_bytes=') + 1) into v_value
          from pg_catalog.pg_db_role_setting s,
               pg_catalog.unnest(s.setconfig) c
         where s.setdatabase = (select d.oid from pg_catalog.pg_database d
                                 where d.datname = pg_catalog.current_database())
           and s.setrole = 0
           and c like 'pgqrs.max\_payload\_bytes=%';
    end if;
    return coalesce(nullif(v_value, '')::bigint, 1048576);
end
$$;
comment on function pgqrs._max_payload_bytes() is
    'Private. The payload limit in bytes: pgqrs.max_payload_bytes of the database (or of a '
    'trusted session), default 1 MiB.';

-- _check_payload(what, value): raises PQ007 when the value's jsonb size exceeds
-- _max_payload_bytes() (default 1 MiB), and PQ013 when it is nested more than 256 levels deep
-- (the top value is level 0): a client decoding it recursively (Python's json module does) must
-- never fail on a stored value. NULL passes. The depth is only looked at in a value of 2 KB or
-- more, or a compressed one (a value 257 levels deep takes more than 2 KB uncompressed), so that
-- small values cost nothing.
create function pgqrs._check_payload(p_what text, p_value jsonb)
returns void
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_limit bigint := pgqrs._max_payload_bytes();
    v_size integer;
begin
    if p_value is null then
        return;
    end if;
    v_size := pg_catalog.pg_column_size(p_value);
    if v_size > v_limit then
        raise exception 'pgqrs: % is % bytes; the limit is % bytes', p_what, v_size, v_limit
            using errcode = 'PQ007',
                  hint = 'Store large data elsewhere and pass a reference, or raise the '
                         'database setting pgqrs.max_payload_bytes.';
    end if;
    if (v_size >= 2048 or pg_catalog.pg_column_compression(p_value) is not null)
       and pg_catalog.jsonb_path_exists(p_value, 'strict $.**{257}') then
        raise exception 'pgqrs: % is nested more than 256 levels deep', p_what
            using errcode = 'PQ013',
                  hint = 'Flatten the value: clients decode JSON recursively.';
    end if;
end
$$;
comment on function pgqrs._check_payload(text, jsonb) is
    'Private. Raises PQ007 over pgqrs.max_payload_bytes (default 1 MiB), PQ013 over 256 levels.';

-- _check_step_key(key): raises PQ008 unless a step key is a non-blank string of at most 512
-- characters that does not start with '#': keys starting with '#' are reserved for entries of
-- the replay snapshot ("#open", "#more").
create function pgqrs._check_step_key(p_key text)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_text('step key', p_key, 512);
    if pg_catalog.left(p_key, 1) = '#' then
        raise exception 'pgqrs: step key % starts with ''#'', which is reserved', p_key
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_step_key(text) is
    'Private. Raises PQ008 unless a step key is non-blank, at most 512 characters, not #-led.';

-- _check_time(what, value): raises PQ008 unless a time is NULL or finite and in
-- [1970-01-01, 9999-01-01) UTC: every client can represent it (Python's datetime stops at year
-- 9999; 'infinity' has no representation at all).
create function pgqrs._check_time(p_what text, p_value timestamptz)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_value is not null and not (p_value >= '1970-01-01 00:00:00+00'::timestamptz
                                    and p_value < '9999-01-01 00:00:00+00'::timestamptz) then
        raise exception 'pgqrs: % must be a time in [1970-01-01, 9999-01-01), got %', p_what,
            p_value
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_time(text, timestamptz) is
    'Private. Raises PQ008 unless a time is NULL or finite within [1970, 9999).';

-- _check_id(what, id): raises PQ008 when a required workflow id is NULL.
create function pgqrs._check_id(p_what text, p_id uuid)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_id is null then
        raise exception 'pgqrs: % must not be null', p_what using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_id(text, uuid) is 'Private. Raises PQ008 for a NULL id.';

-- _raise_workflow_not_found(workflow_id): raises PQ001 for an id that names no workflow (the
-- caller looked it up and found nothing), with the one message every function gives.
create function pgqrs._raise_workflow_not_found(p_workflow_id uuid)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    raise exception 'pgqrs: workflow % does not exist', p_workflow_id using errcode = 'PQ001';
end
$$;
comment on function pgqrs._raise_workflow_not_found(uuid) is
    'Private. Raises PQ001 (workflow_not_found) for the given workflow id.';

-- _notify(channel, subject): NOTIFY channel with an opaque tag of subject as the payload
-- (_notify_tag), so that a role that may LISTEN but was granted nothing learns no workflow
-- name, id or event key from it.
create function pgqrs._notify(p_channel text, p_subject text)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pg_catalog.pg_notify(p_channel, pgqrs._notify_tag(p_subject));
end
$$;
comment on function pgqrs._notify(text, text) is
    'Private. NOTIFY a channel with the opaque tag of a subject as payload.';

-- _notify_tag(subject): the first 16 hex digits of sha256(notify_key || subject), with the
-- install's secret pgqrs.instance.notify_key. The subjects: 'work:<workflow name>' (channel
-- pgqrs_work), 'done:<workflow id>' (pgqrs_done), 'event:<workflow id> <key>' (pgqrs_event).
-- PL/pgSQL, not SQL: a SQL function with a SET clause is never inlined, and then plans its
-- query at every call (45 us, at every workflow's end); PL/pgSQL keeps the plan per session.
create function pgqrs._notify_tag(p_subject text)
returns text
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
begin
    return (select pg_catalog.left(pg_catalog.encode(pg_catalog.sha256(
                       i.notify_key || pg_catalog.convert_to(p_subject, 'UTF8')), 'hex'), 16)
              from pgqrs.instance i);
end
$$;
comment on function pgqrs._notify_tag(text) is
    'Private. The opaque notification tag of a subject (keyed sha256, 16 hex digits).';

-- notify_tag(subject) -> text
-- The payload pgqrs sends for a subject, so that a client waiting for one thing can recognise its
-- notification: LISTEN pgqrs_done and wait for notify_tag('done:' || workflow id); pgqrs_work
-- carries 'work:' || workflow name (or '*' for work of any name); pgqrs_event carries
-- 'event:' || workflow id || ' ' || key. Payloads are tags, not names, because any role may
-- LISTEN. Read-only. Errors: PQ008 (subject NULL, blank or over 1000 characters).
create function pgqrs.notify_tag(p_subject text)
returns text
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_text('notification subject', p_subject, 1000);
    return pgqrs._notify_tag(p_subject);
end
$$;
comment on function pgqrs.notify_tag(text) is
    'The opaque payload pgqrs notifies for a subject (''done:<id>'', ''work:<name>'', ...).';

-- notify_key() -> bytea
-- This install's notification key, so that a client computes tags itself (the first 16 hex
-- digits of sha256(key || subject)) instead of calling notify_tag for each. Grant it only to roles
-- trusted to read workflow names and ids (the application and monitoring roles). Read-only.
create function pgqrs.notify_key()
returns bytea
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
    select i.notify_key from pgqrs.instance i
$$;
comment on function pgqrs.notify_key() is
    'The install''s secret notification key (for clients that compute notification tags).';

-- _async_commit(): sets synchronous_commit = off for the rest of the transaction, but only when
-- the transaction has written nothing yet, so that it can never weaken the durability of an
-- earlier write in the same transaction (such as an outcome recorded just before).
create function pgqrs._async_commit()
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    if pg_catalog.pg_current_xact_id_if_assigned() is null then
        perform pg_catalog.set_config('synchronous_commit', 'off', true);
    end if;
end
$$;
comment on function pgqrs._async_commit() is
    'Private. synchronous_commit = off for this transaction, only if it has written nothing yet.';

-- _error_object(error): the stored form of an error. A JSON object is kept as given; any other
-- JSON value v becomes {"type": null, "message": v as text}. NULL raises PQ008. An error over
-- pgqrs.max_payload_bytes, or nested more than 256 levels deep, is cut down rather than refused,
-- so that recording a failure can never fail: it keeps only the type (200 characters), the
-- message (limit / 8 characters, at least 200; a character takes at most 4 bytes, so at most half
-- the limit) and a boolean "retryable" (the client's verdict on a workflow error, which
-- _finish_workflow reads), with "traceback": null and "truncated": true. Under a limit below
-- about 2 KB the cut-down error may exceed the limit.
create function pgqrs._error_object(p_error jsonb)
returns jsonb
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_error jsonb;
    v_limit bigint := pgqrs._max_payload_bytes();
begin
    if p_error is null then
        raise exception 'pgqrs: error must not be null' using errcode = 'PQ008';
    end if;
    if pg_catalog.jsonb_typeof(p_error) = 'object' then
        v_error := p_error;
    else
        v_error := pg_catalog.jsonb_build_object('type', null, 'message', p_error #>> '{}');
    end if;
    if pg_catalog.pg_column_size(v_error) <= v_limit
       and not ((pg_catalog.pg_column_size(v_error) >= 2048
                 or pg_catalog.pg_column_compression(v_error) is not null)
                and pg_catalog.jsonb_path_exists(v_error, 'strict $.**{257}')) then
        return v_error;
    end if;
    return pg_catalog.jsonb_build_object(
        'type', pg_catalog.left(v_error ->> 'type', 200),
        'message', pg_catalog.left(
            coalesce(v_error ->> 'message', ''), greatest(200, (v_limit / 8)::integer)),
        'traceback', null,
        'truncated', true)
        || case when pg_catalog.jsonb_typeof(v_error -> 'retryable') = 'boolean'
                then pg_catalog.jsonb_build_object('retryable', v_error -> 'retryable')
                else '{}'::jsonb end;
end
$$;
comment on function pgqrs._error_object(jsonb) is
    'Private. Normalizes an error to a JSON object, cut down to fit pgqrs.max_payload_bytes.';

-- _check_lease_seconds(seconds): raises PQ008 unless 0 < seconds <= 86400 (NULL and NaN fail).
create function pgqrs._check_lease_seconds(p_seconds double precision)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_seconds is null or p_seconds <= 0 or p_seconds > 86400 then
        raise exception 'pgqrs: lease seconds must be greater than 0 and at most 86400, got %',
            p_seconds
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_lease_seconds(double precision) is
    'Private. Raises PQ008 unless the lease length is in (0, 86400] seconds.';

-- _check_wait_seconds(what, seconds): raises PQ008 unless a wait length is NULL (no limit) or
-- in [0, 315360000] seconds (ten years; NaN and Infinity fail).
create function pgqrs._check_wait_seconds(p_what text, p_seconds double precision)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_seconds is not null and not (p_seconds >= 0 and p_seconds <= 315360000) then
        raise exception 'pgqrs: % must be in [0, 315360000] seconds, got %', p_what, p_seconds
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_wait_seconds(text, double precision) is
    'Private. Raises PQ008 unless a wait length is NULL or in [0, ten years] seconds.';

-- _check_inline_seconds(seconds): raises PQ008 unless how long a wait may last in process is NULL
-- (none) or in [0, 3600] seconds: longer waits suspend the workflow instead.
create function pgqrs._check_inline_seconds(p_seconds double precision)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_seconds is not null and not (p_seconds >= 0 and p_seconds <= 3600) then
        raise exception 'pgqrs: inline seconds must be in [0, 3600], got %', p_seconds
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_inline_seconds(double precision) is
    'Private. Raises PQ008 unless an in-process wait limit is NULL or in [0, 3600] seconds.';

-- _check_stale_seconds(seconds): raises PQ008 unless the staleness window is in (0, 315360000]
-- seconds (ten years; NULL, NaN and Infinity fail), so that now() minus the window is always a
-- time (a larger window would overflow the interval with a raw 22008).
create function pgqrs._check_stale_seconds(p_seconds double precision)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_seconds is null or not (p_seconds > 0 and p_seconds <= 315360000) then
        raise exception 'pgqrs: stale window must be in (0, 315360000] seconds, got %',
            coalesce(p_seconds::text, 'NULL')
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_stale_seconds(double precision) is
    'Private. Raises PQ008 unless a staleness window is in (0, ten years] seconds.';
