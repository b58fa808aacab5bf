-- pgqrs 0.1.0 -> 0.2.0. Run by ALTER EXTENSION pgqrs UPDATE, by pgqrs install, or with psql -f
-- on a database that has 0.1.0. It leaves the schema identical to a fresh pgqrs--0.2.0.sql
-- (a test compares the two); every 0.1.0 signature keeps working (docs/upgrading.md).
--
-- Changes:
--   * min_client_version(): the oldest client release this schema serves. Clients check it,
--     with version(), on first use.
--   * list_workers and workflow_counts raise PQ008 for a NULL, non-positive or infinite stale
--     window instead of answering NULL.
--   * One private helper raises PQ009 (_raise_worker_not_found); _worker_names, next_claim_at
--     and stop_worker call it. Their behaviour is unchanged.
--   * version() returns '0.2.0'.
--
-- Lock footprint: CREATE OR REPLACE FUNCTION and CREATE FUNCTION only; no table is touched, so
-- it runs in milliseconds next to live workers. Function bodies below are copied verbatim from
-- pgqrs--0.2.0.sql.

-- New functions ----------------------------------------------------------------------------

-- _raise_worker_not_found(worker): raises PQ009 for a worker name that is not registered.
create function pgqrs._raise_worker_not_found(p_worker text)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    raise exception 'pgqrs: worker % is not registered', p_worker
        using errcode = 'PQ009',
              hint = 'Call pgqrs.register_worker first.';
end
$$;
comment on function pgqrs._raise_worker_not_found(text) is
    'Private. Raises PQ009 (worker_not_found) for the given worker name.';

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

-- Replaced functions (same signatures) ----------------------------------------------------

-- version(): the version of the installed SQL, for example '0.2.0'.
create or replace function pgqrs.version()
returns text
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$ select '0.2.0'::text $$;
comment on function pgqrs.version() is 'The version of the installed pgqrs SQL.';

-- _worker_names(worker): the workflow names a registered worker serves, after recording that it
-- is alive (heartbeat_at = now). Raises PQ009 for an unknown worker. Locks: the worker row.
create or replace function pgqrs._worker_names(p_worker text)
returns text[]
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_names text[];
begin
    update pgqrs.workers k
       set heartbeat_at = pgqrs.now(), stopped_at = null
     where k.name = p_worker
    returning k.workflows into v_names;
    if not found then
        perform pgqrs._raise_worker_not_found(p_worker);
    end if;
    return v_names;
end
$$;
comment on function pgqrs._worker_names(text) is
    'Private. Records a worker heartbeat and returns the workflow names it serves (PQ009 if unknown).';

-- next_claim_at(worker) -> timestamptz
-- The earliest time at which a workflow this worker serves becomes claimable (its available_at,
-- or the expiry of its current lease), NULL when there is none; may be in the past. A worker that
-- found nothing to claim sleeps until then, or until NOTIFY pgqrs_work. Read-only; no locks.
-- Errors: PQ009.
create or replace function pgqrs.next_claim_at(p_worker text)
returns timestamptz
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_names text[];
begin
    select k.workflows into v_names from pgqrs.workers k where k.name = p_worker;
    if not found then
        perform pgqrs._raise_worker_not_found(p_worker);
    end if;
    return (
        select min(greatest(w.available_at, coalesce(w.lease_expires_at, w.available_at)))
          from pgqrs.workflows w
         where w.queued
           and w.status in ('PENDING', 'RUNNING')
           and w.name = any (v_names));
end
$$;
comment on function pgqrs.next_claim_at(text) is
    'When the next workflow this worker serves becomes claimable (NULL: none).';

-- stop_worker(worker) -> leases released
-- Marks the worker stopped and releases every lease it still holds, as release_workflow does
-- (the tokens move on, fencing out anything of this worker still running), so that other
-- workers resume that work at once (NOTIFY pgqrs_work); not a recovery. A stopping worker calls
-- it after its grace period. Locks: the worker row, then the workflow rows it held. Errors: PQ009.
create or replace function pgqrs.stop_worker(p_worker text)
returns integer
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    update pgqrs.workers k set stopped_at = pgqrs.now() where k.name = p_worker;
    if not found then
        perform pgqrs._raise_worker_not_found(p_worker);
    end if;
    return pgqrs._release_worker_leases(p_worker, false);
end
$$;
comment on function pgqrs.stop_worker(text) is
    'Marks a worker stopped and releases its leases so others resume at once.';

-- list_workers(stale_seconds) -> one row per registered worker
-- alive: not stopped and heard from within p_stale_seconds (default 30). running: the workflows
-- it holds a live lease on. Read-only; no locks. Errors: PQ008 (window NULL, not positive or
-- not finite).
create or replace function pgqrs.list_workers(p_stale_seconds double precision default 30)
returns table (
    name         text,
    hostname     text,
    pid          integer,
    workflows    text[],
    concurrency  integer,
    started_at   timestamptz,
    heartbeat_at timestamptz,
    stopped_at   timestamptz,
    alive        boolean,
    running      uuid[]
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_stale_seconds(p_stale_seconds);
    return query
    select k.name, k.hostname, k.pid, k.workflows, k.concurrency, k.started_at, k.heartbeat_at,
           k.stopped_at,
           k.stopped_at is null
               and k.heartbeat_at > pgqrs.now() - p_stale_seconds * interval '1 second',
           coalesce(
               (select pg_catalog.array_agg(w.id order by w.id)
                  from pgqrs.workflows w
                 where w.lease_owner = k.name
                   and w.status = 'RUNNING'
                   and w.lease_expires_at > pgqrs.now()),
               '{}')
      from pgqrs.workers k
     order by k.name;
end
$$;
comment on function pgqrs.list_workers(double precision) is
    'Registered workers: alive or not, and the workflows each is running.';

-- workflow_counts(stale_seconds) -> one row per (name, status)
-- How many workflows of each name are in each status, the oldest creation time, and whether a
-- live worker serves the name (served = false for a queued name no worker knows: it waits).
-- Read-only; no locks. Errors: PQ008 (window NULL, not positive or not finite).
create or replace function pgqrs.workflow_counts(p_stale_seconds double precision default 30)
returns table (name text, status text, count bigint, oldest timestamptz, served boolean)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_stale_seconds(p_stale_seconds);
    return query
    select w.name, w.status, pg_catalog.count(*), min(w.created_at),
           exists (select 1
                     from pgqrs.workers k
                    where w.name = any (k.workflows)
                      and k.stopped_at is null
                      and k.heartbeat_at > pgqrs.now() - p_stale_seconds * interval '1 second')
      from pgqrs.workflows w
     group by w.name, w.status
     order by w.name, w.status;
end
$$;
comment on function pgqrs.workflow_counts(double precision) is
    'Workflows by name and status, and whether a live worker serves each name.';

-- A new function is executable by PUBLIC until revoked, as in the full script.
revoke all on function pgqrs._raise_worker_not_found(text) from public;
revoke all on function pgqrs._check_stale_seconds(double precision) from public;
revoke all on function pgqrs.min_client_version() from public;

insert into pgqrs.ledger (version) values ('0.2.0');
