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

-- now(): the one clock of pgqrs. Returns the setting pgqrs.fake_now when it is set and not empty,
-- otherwise clock_timestamp(). Tests move time with SET pgqrs.fake_now = '...'. Faking time only
-- changes when leases look expired; fencing tokens keep writes safe whatever the clock says.
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
    return v_fake::timestamptz;
end
$$;
comment on function pgqrs.now() is
    'The pgqrs clock: pgqrs.fake_now when set (tests), else clock_timestamp().';

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
        ('PQ008', 'invalid_argument', 'A missing, empty or oversized name, key, owner or lease length.'),
        ('PQ009', 'worker_not_found', 'No worker is registered under that name.'),
        ('PQ010', 'workflow_code_changed', 'The step called at a position is not the one recorded there.'),
        ('PQ011', 'workflow_cancelled', 'The workflow was cancelled, or its deadline passed.'),
        ('PQ012', 'step_timed_out', 'The step ran past its timeout; its result is not recorded.')
$$;
comment on function pgqrs.error_codes() is 'The pgqrs SQLSTATEs (class PQ), their names and meanings.';

-- _uuid_v7(): a time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then random
-- bits. New rows land at the right edge of the primary-key index, which keeps it hot and compact.
create function pgqrs._uuid_v7()
returns uuid
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    return pg_catalog.encode(
        pg_catalog.set_bit(pg_catalog.set_bit(
            pg_catalog.overlay(
                pg_catalog.uuid_send(pg_catalog.gen_random_uuid()),
                pg_catalog.substr(
                    pg_catalog.int8send(
                        pg_catalog.floor(
                            extract(epoch from pg_catalog.clock_timestamp()) * 1000)::bigint),
                    3),
                1, 6),
            52, 1), 53, 1),
        'hex')::uuid;
end
$$;
comment on function pgqrs._uuid_v7() is 'Private. A time-ordered version 7 UUID.';

-- _check_text(what, value, max_length): raises PQ008 unless value is a string of at most
-- max_length characters with at least one character that is not white space. Used for names, step keys, owners and idempotency keys.
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

-- _max_payload_bytes(): the payload limit, from the setting pgqrs.max_payload_bytes (set it with
-- ALTER DATABASE or ALTER ROLE ... SET), 1 MiB when it is not set. A value that is not an
-- integer raises 22P02.
create function pgqrs._max_payload_bytes()
returns bigint
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
begin
    return coalesce(
        nullif(pg_catalog.current_setting('pgqrs.max_payload_bytes', true), '')::bigint,
        1048576);
end
$$;
comment on function pgqrs._max_payload_bytes() is
    'Private. The payload limit in bytes: pgqrs.max_payload_bytes, default 1 MiB.';

-- _check_payload(what, value): raises PQ007 when the value's jsonb size exceeds the setting
-- pgqrs.max_payload_bytes (default 1 MiB). NULL passes.
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
                         'setting pgqrs.max_payload_bytes.';
    end if;
end
$$;
comment on function pgqrs._check_payload(text, jsonb) is
    'Private. Raises PQ007 when a JSON value exceeds pgqrs.max_payload_bytes (default 1 MiB).';

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
-- pgqrs.max_payload_bytes is cut down rather than refused, so that recording a failure can never
-- fail: it keeps only the type (200 characters) and the message (limit / 8 characters, at least
-- 200; a character takes at most 4 bytes, so at most half the limit), with "traceback": null and
-- "truncated": true. Under a limit below about 2 KB the cut-down error may exceed the limit.
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
    if pg_catalog.pg_column_size(v_error) <= v_limit then
        return v_error;
    end if;
    return pg_catalog.jsonb_build_object(
        'type', pg_catalog.left(v_error ->> 'type', 200),
        'message', pg_catalog.left(
            coalesce(v_error ->> 'message', ''), greatest(200, (v_limit / 8)::integer)),
        'traceback', null,
        'truncated', true);
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

-- _check_stale_seconds(seconds): raises PQ008 unless the staleness window is a finite number of
-- seconds greater than zero.
create function pgqrs._check_stale_seconds(p_seconds double precision)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_seconds is null or p_seconds <= 0
       or p_seconds in ('Infinity'::float8, 'NaN'::float8) then
        raise exception 'pgqrs: stale window must be a positive number of seconds, got %',
            coalesce(p_seconds::text, 'NULL')
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._check_stale_seconds(double precision) is
    'Private. Raises PQ008 unless a staleness window is a finite positive number of seconds.';
