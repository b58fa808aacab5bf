-- Queues: named queues with limits decided at claim time (global and per-worker concurrency, a
-- rate limit, concurrency keys served round-robin, pause), priorities, debounce and bulk start.
--
-- Every workflow belongs to a queue ('default' unless it was started into another). A queue
-- without a row in pgqrs.queues has no limits. The limits hold exactly under racing workers, and
-- no claimer ever waits for another:
--   * global concurrency N: N rows in pgqrs.queue_slots. A claim takes a slot for each workflow
--     it hands out (FOR UPDATE SKIP LOCKED): a free one, or one whose holder no longer runs with
--     a live lease (finished, suspended, released, or its lease expired). So at most N workflows
--     of the queue run with a live lease at any moment.
--   * rate limit R per period P: R rows in pgqrs.queue_permits, each with the time it was last
--     used. A first start (PENDING -> RUNNING) takes a permit not used within the last P. So no
--     window of length P holds more than R starts.
--   * per-worker concurrency W: a worker counts its own live leases in the queue; its claims are
--     its own (one claim at a time per worker), so the count cannot race.
--   * concurrency key K (a tenant, say): workflows with a key are served key by key, oldest
--     served key first (pgqrs.queue_keys.served_at), each key locked while a claim looks at it,
--     at most K running per key.
-- Waiting for capacity holds nothing: the workflow stays queued. next_claim_at does not report
-- work that capacity holds back (so idle workers do not spin), and a workflow that ends its run in
-- a limited queue with work waiting sends NOTIFY pgqrs_work '*'.

-- _check_queue_name(name): raises PQ008 unless a queue name is a non-blank string of at most
-- 255 characters.
create function pgqrs._check_queue_name(p_queue text)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_text('queue name', p_queue, 255);
end
$$;
comment on function pgqrs._check_queue_name(text) is
    'Private. Raises PQ008 unless a queue name is non-blank and at most 255 characters.';

-- _queue(name) -> pgqrs.queues: the settings of a queue; a queue without a row has none (every
-- limit NULL, not paused).
create function pgqrs._queue(p_queue text)
returns pgqrs.queues
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_queue pgqrs.queues;
begin
    select * into v_queue from pgqrs.queues q where q.name = p_queue;
    if not found then
        v_queue.name := p_queue;
        v_queue.paused := false;
    end if;
    return v_queue;
end
$$;
comment on function pgqrs._queue(text) is
    'Private. The settings of a queue (no limits when it has no row).';

-- _queue_is_plain(queue): true when the queue has no limit and is not paused: its claims need
-- no slot, permit or count.
create function pgqrs._queue_is_plain(p_queue pgqrs.queues)
returns boolean
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    -- PL/pgSQL: a SQL function with a SET clause is not inlined and is planned at every call.
    return not p_queue.paused
       and p_queue.concurrency is null
       and p_queue.worker_concurrency is null
       and p_queue.rate_limit is null;
end
$$;
comment on function pgqrs._queue_is_plain(pgqrs.queues) is
    'Private. True when a queue has no limit and is not paused.';

-- _note_queue(queue, name, key): records that workflows of this name (and this concurrency key)
-- are queued in this queue, so that claims find them: a row in queue_names (claims look in the
-- default queue for every name they serve, so it needs none), and for a key a row in queue_keys
-- held FOR KEY SHARE until the caller commits (a claim that would drop the key as empty skips it
-- meanwhile, so a key row can never be dropped under a new workflow).
create function pgqrs._note_queue(p_queue text, p_name text, p_key text)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_queue <> 'default' then
        perform 1 from pgqrs.queue_names n where n.name = p_name and n.queue = p_queue;
        if not found then
            insert into pgqrs.queue_names (name, queue) values (p_name, p_queue)
            on conflict do nothing;
        end if;
    end if;
    if p_key is not null then
        loop
            perform 1 from pgqrs.queue_keys k
             where k.queue = p_queue and k.key = p_key
               for key share;
            exit when found;
            insert into pgqrs.queue_keys (queue, key, served_at)
            values (p_queue, p_key, pgqrs.now())
            on conflict do nothing;
        end loop;
    end if;
end
$$;
comment on function pgqrs._note_queue(text, text, text) is
    'Private. Registers a queue''s workflow name (and concurrency key) for claims.';

-- _note_full(queue) -> NULL
-- Notes, for this transaction's claim, that the queue was full (the claim registers its worker in
-- pgqrs.queue_waiters: _sync_waiters). Returns NULL, _reserve_slot's answer for a full queue.
create function pgqrs._note_full(p_queue text)
returns integer
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pg_catalog.set_config(
        'pgqrs.full_queues',
        pg_catalog.array_append(
            coalesce(nullif(pg_catalog.current_setting('pgqrs.full_queues', true), '')::text[],
                     '{}'),
            p_queue)::text,
        true);
    return null;
end
$$;
comment on function pgqrs._note_full(text) is
    'Private. Notes that a queue was full, for the claim of this transaction.';

-- _sync_waiters(worker, waiting)
-- After a claim: the worker waits for exactly the queues this claim found full (_note_full), so
-- it is registered in pgqrs.queue_waiters for those and for no other (a claim that found a queue
-- not full, or that got all it asked for, does not sleep on it), and workers.waiting says
-- whether it has any (p_waiting: what it said before). Clears the note. Locks: the worker's rows
-- of queue_waiters; the worker row when waiting changes, SKIP LOCKED.
create function pgqrs._sync_waiters(p_worker text, p_waiting boolean)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_full text[] := coalesce(
        nullif(pg_catalog.current_setting('pgqrs.full_queues', true), '')::text[], '{}');
begin
    if pg_catalog.cardinality(v_full) > 0 then
        perform pg_catalog.set_config('pgqrs.full_queues', '', true);
        insert into pgqrs.queue_waiters (queue, worker)
        select distinct f.queue, p_worker from pg_catalog.unnest(v_full) f (queue)
        on conflict do nothing;
    end if;
    if p_waiting then
        delete from pgqrs.queue_waiters q where q.worker = p_worker and q.queue <> all (v_full);
    end if;
    -- The worker row comes after the workflow rows here, against the lock order: so it is
    -- skipped when locked (register_worker or stop_worker, which clear the worker's rows of
    -- queue_waiters anyway). A flag left false over rows only costs NOTIFYs until the worker's
    -- next full queue; one left true, a probe at its next claim.
    if p_waiting is distinct from (pg_catalog.cardinality(v_full) > 0) then
        update pgqrs.workers k set waiting = pg_catalog.cardinality(v_full) > 0
         where k.name = (select x.name from pgqrs.workers x where x.name = p_worker
                            for no key update skip locked);
    end if;
end
$$;
comment on function pgqrs._sync_waiters(text, boolean) is
    'Private. Registers a worker as waiting for the queues its claim found full, and no other.';

-- _free_slot(workflow_id): gives back the concurrency slot a workflow holds, if any, when its
-- run ends (an outcome, a suspension, a release, a cancel, DEAD), and tells idle workers with
-- NOTIFY pgqrs_work '*' when a worker may wait for it: one whose last claim found the queue full
-- (pgqrs.queue_waiters), while work waits. With no such worker it sends nothing, so a limit that
-- does not bind costs no NOTIFY per run (a transaction that notifies holds a database-wide lock
-- through its commit, which kept two workers' commits apart).
-- Why no wake-up is lost: this run holds the queue's wake-up lock (an advisory lock, below) in
-- share mode from before it reads the waiters until it ends, and a worker that registered and
-- then found no slot takes that lock for a moment in next_claim_at (which it calls before it
-- sleeps), then looks again. Either this run saw the registration, or the worker's look comes
-- after this commit and sees the slot, or the lock was taken (a run ending) and next_claim_at
-- says to look again in 20 ms. When the lock is taken here (a worker is looking), this run
-- notifies.
-- A slot whose holder stopped running without it (its lease expired) is taken back by the next
-- claim that finds no free slot (_take_slot). Locks: the slot row; the queue's wake-up lock,
-- shared, without waiting.
create function pgqrs._free_slot(p_workflow_id uuid)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_queue text;
begin
    update pgqrs.queue_slots s set workflow_id = null
     where s.workflow_id = p_workflow_id
    returning s.queue into v_queue;
    if not found then
        return;
    end if;
    -- The wake-up lock: advisory lock class 1885827442 ('pgqr'), key hashtext(queue). A collision
    -- with another user of advisory locks only makes this run notify. The waiters are read in a
    -- statement of its own, whose snapshot comes after the lock (a statement's snapshot is taken
    -- when it starts): a worker registered before the lock was taken is seen.
    if not pg_catalog.pg_try_advisory_xact_lock_shared(1885827442, pg_catalog.hashtext(v_queue)) then
        null;  -- a worker is looking (next_claim_at): it may not see this slot, so notify
    elsif not exists (select from pgqrs.queue_waiters q where q.queue = v_queue) then
        return;
    end if;
    -- Work waiting: one probe of each claim index, in its order, so that no plan can read the
    -- table instead (an EXISTS was planned as a sequential scan, which read every finished
    -- workflow stored before the first waiting one: a cost that grew with the history).
    perform 1 from pgqrs.workflows w
     where w.queue = v_queue and w.concurrency_key is null and w.queued
       and w.status in ('PENDING', 'RUNNING') and w.lease_owner is null
     order by w.queue, w.name
     limit 1;
    if not found then
        perform 1 from pgqrs.workflows w
         where w.queue = v_queue and w.concurrency_key is not null and w.queued
           and w.status in ('PENDING', 'RUNNING') and w.lease_owner is null
         order by w.queue, w.concurrency_key
         limit 1;
    end if;
    if found then
        perform pg_catalog.pg_notify('pgqrs_work', '*');
    end if;
end
$$;
comment on function pgqrs._free_slot(uuid) is
    'Private. Gives back the concurrency slot a workflow holds, and wakes workers if work waits.';

-- _free_slots(workflow_ids): _free_slot for many workflows at once (a tree cancelled, a worker's
-- leases released).
create function pgqrs._free_slots(p_workflow_ids uuid[])
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    update pgqrs.queue_slots s set workflow_id = null where s.workflow_id = any (p_workflow_ids);
    if found then
        perform pg_catalog.pg_notify('pgqrs_work', '*');
    end if;
end
$$;
comment on function pgqrs._free_slots(uuid[]) is
    'Private. Gives back the concurrency slots of many workflows, and wakes workers.';

-- _reserve_slot(queue, selected, now) -> slot number, or NULL when the queue is full
-- Locks a concurrency slot of the queue that a new run may take, without taking it yet: a free
-- one, else one whose holder no longer runs with a live lease and is not one of p_selected (the
-- workflows this claim took slots for and has not granted yet); FOR UPDATE SKIP LOCKED, so
-- claimers never wait for each other. A claim reserves a slot before it locks a workflow, so
-- that a claim that cannot start anything never holds the head of the queue away from one that
-- can (which would then start the next one instead: out of order). The caller writes the holder
-- (_take_slot); a slot it does not use stays as it was, its lock released at commit.
-- * A slot found stale is judged again once it is locked, in a statement of its own: the
--   statement that found it judged its holder as of that statement's start, and another claim
--   may have given the slot to a workflow that runs now.
-- * After a lowered limit (set_queue), slots above it stay while their holders run (retiring
--   slots). While any is left, claims reserve slots one at a time under the queue's row lock
--   (SKIP LOCKED: a claim that finds it held reserves nothing this time), drop the retiring slots
--   whose holders no longer run, and reserve one only while fewer than the limit hold one.
-- NULL (the queue is full) is noted for the claim (_note_full), which registers its worker as
-- waiting for the queue (pgqrs.queue_waiters).
-- Locks: the slot rows; after a lowered limit, the queue row.
create function pgqrs._reserve_slot(
    p_queue    pgqrs.queues,
    p_selected uuid[],
    p_now      timestamptz
)
returns integer
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_slot  integer;
    v_tried integer[] := '{}';
begin
    if exists (select from pgqrs.queue_slots s
                where s.queue = p_queue.name and s.slot > p_queue.concurrency) then
        perform 1 from pgqrs.queues q where q.name = p_queue.name for update skip locked;
        if not found then
            return pgqrs._note_full(p_queue.name);
        end if;
        for v_slot in
            select s.slot from pgqrs.queue_slots s
             where s.queue = p_queue.name and s.slot > p_queue.concurrency
               for update skip locked
        loop
            delete from pgqrs.queue_slots s
             where s.queue = p_queue.name and s.slot = v_slot
               and not exists (select from pgqrs.workflows w
                                where w.id = s.workflow_id and w.status = 'RUNNING'
                                  and w.lease_owner is not null and w.lease_expires_at > p_now);
        end loop;
        if (select pg_catalog.count(*) from pgqrs.queue_slots s
             where s.queue = p_queue.name
               and (s.workflow_id = any (p_selected)
                    or exists (select from pgqrs.workflows w
                                where w.id = s.workflow_id and w.status = 'RUNNING'
                                  and w.lease_owner is not null
                                  and w.lease_expires_at > p_now)))
           >= p_queue.concurrency then
            return pgqrs._note_full(p_queue.name);
        end if;
    end if;
    select s.slot into v_slot
      from pgqrs.queue_slots s
     where s.queue = p_queue.name and s.slot <= p_queue.concurrency and s.workflow_id is null
     order by s.slot
     limit 1
       for update skip locked;
    if found then
        return v_slot;
    end if;
    -- A slot whose holder stopped running without giving it back (its lease expired): at most
    -- concurrency rows to look at.
    loop
        select s.slot into v_slot
          from pgqrs.queue_slots s
          left join pgqrs.workflows w on w.id = s.workflow_id
         where s.queue = p_queue.name and s.slot <= p_queue.concurrency
           and s.workflow_id <> all (p_selected)
           and s.slot <> all (v_tried)
           and (w.id is null
                or not (w.status = 'RUNNING' and w.lease_owner is not null
                        and w.lease_expires_at > p_now))
         order by s.slot
         limit 1
           for update of s skip locked;
        if not found then
            return pgqrs._note_full(p_queue.name);
        end if;
        if exists (select from pgqrs.queue_slots s
                    where s.queue = p_queue.name and s.slot = v_slot
                      and (s.workflow_id is null
                           or (s.workflow_id <> all (p_selected)
                               and not exists (select from pgqrs.workflows w
                                                where w.id = s.workflow_id
                                                  and w.status = 'RUNNING'
                                                  and w.lease_owner is not null
                                                  and w.lease_expires_at > p_now)))) then
            return v_slot;
        end if;
        v_tried := v_tried || v_slot;
    end loop;
end
$$;
comment on function pgqrs._reserve_slot(pgqrs.queues, uuid[], timestamptz) is
    'Private. Locks a free (or stale) concurrency slot of a queue; NULL when the queue is full.';

-- _take_slot(queue, workflow_id, selected, now) -> taken
-- Takes a concurrency slot of the queue for the workflow: the one it holds already (a workflow
-- taken over after its runner's lease expired), locked so that a claim that finds it stale and
-- the claim that takes the workflow over cannot both keep it; else the one _reserve_slot locks.
-- False when the queue is full. Locks: as _reserve_slot.
create function pgqrs._take_slot(
    p_queue       pgqrs.queues,
    p_workflow_id uuid,
    p_selected    uuid[],
    p_now         timestamptz
)
returns boolean
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_slot integer;
begin
    perform 1 from pgqrs.queue_slots s
     where s.workflow_id = p_workflow_id and s.queue = p_queue.name
       and s.slot <= p_queue.concurrency
       for update skip locked;
    if found then
        return true;
    end if;
    v_slot := pgqrs._reserve_slot(p_queue, p_selected, p_now);
    if v_slot is null then
        return false;
    end if;
    update pgqrs.queue_slots s set workflow_id = p_workflow_id
     where s.queue = p_queue.name and s.slot = v_slot;
    return true;
end
$$;
comment on function pgqrs._take_slot(pgqrs.queues, uuid, uuid[], timestamptz) is
    'Private. Takes a concurrency slot of a queue for a workflow (SKIP LOCKED); false when full.';

-- _take_permit(queue, now) -> taken
-- Takes a rate-limit permit of the queue: one not used within the last rate_period (FOR UPDATE
-- SKIP LOCKED), marked used now. False when all p_queue.rate_limit permits were used within the
-- period.
create function pgqrs._take_permit(p_queue pgqrs.queues, p_now timestamptz)
returns boolean
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_permit integer;
begin
    select p.permit into v_permit
      from pgqrs.queue_permits p
     where p.queue = p_queue.name and p.permit <= p_queue.rate_limit
       and p.used_at <= p_now - p_queue.rate_period
     order by p.used_at
     limit 1
       for update skip locked;
    if not found then
        return false;
    end if;
    update pgqrs.queue_permits p set used_at = p_now
     where p.queue = p_queue.name and p.permit = v_permit;
    return true;
end
$$;
comment on function pgqrs._take_permit(pgqrs.queues, timestamptz) is
    'Private. Takes a rate-limit permit of a queue (SKIP LOCKED); false when none is left.';

-- _permit_free(queue, now) -> whether a rate-limit permit of the queue is free now (not used
-- within the last rate_period). Read-only; no locks: a claim that finds one may still lose it to
-- another (_take_permit says). It reads the least recently used permit, one entry of
-- queue_permits_oldest (asked as an EXISTS over the permits, a generic plan read all of them:
-- half a millisecond at 10,000 permits, at every claim).
create function pgqrs._permit_free(p_queue pgqrs.queues, p_now timestamptz)
returns boolean
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
begin
    return coalesce((select p.used_at <= p_now - p_queue.rate_period
                       from pgqrs.queue_permits p
                      where p.queue = p_queue.name and p.permit <= p_queue.rate_limit
                      order by p.used_at
                      limit 1), false);
end
$$;
comment on function pgqrs._permit_free(pgqrs.queues, timestamptz) is
    'Private. Whether a rate-limit permit of a queue is free now.';

-- _take_capacity(queue, workflow_id, first_start, selected, now) -> taken
-- What one more running workflow of the queue needs: a slot (with a concurrency limit) and, for a
-- first start, a permit (with a rate limit). p_selected: the workflows this claim already took
-- capacity for (not granted yet). False when either is missing; a slot it took for a workflow
-- that then finds no permit is handed back at once, silently (nothing was freed that anyone
-- waits for), so only a workflow that starts holds one.
create function pgqrs._take_capacity(
    p_queue       pgqrs.queues,
    p_workflow_id uuid,
    p_first_start boolean,
    p_selected    uuid[],
    p_now         timestamptz
)
returns boolean
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_queue.concurrency is not null then
        if not pgqrs._take_slot(p_queue, p_workflow_id, p_selected, p_now) then
            return false;
        end if;
    end if;
    if p_queue.rate_limit is not null and p_first_start then
        if not pgqrs._take_permit(p_queue, p_now) then
            update pgqrs.queue_slots s set workflow_id = null
             where s.workflow_id = p_workflow_id and s.queue = p_queue.name;
            return false;
        end if;
    end if;
    return true;
end
$$;
comment on function pgqrs._take_capacity(pgqrs.queues, uuid, boolean, uuid[], timestamptz) is
    'Private. Takes the slot and permit a workflow needs to start in a limited queue.';

-- _worker_room(worker, queue, selected, want, now) -> how many more this worker may start
-- p_want, capped by the queue's worker_concurrency less the workflows of the queue the worker
-- runs with a live lease and those it selected already in this claim (p_selected). Its own
-- claims never run at once, so the count cannot race. Reads the worker's leases only.
create function pgqrs._worker_room(
    p_worker   text,
    p_queue    pgqrs.queues,
    p_selected uuid[],
    p_want     integer,
    p_now      timestamptz
)
returns integer
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_queue.worker_concurrency is null then
        return p_want;
    end if;
    return greatest(0, least(p_want, p_queue.worker_concurrency
        - (select pg_catalog.count(*)::integer from pgqrs.workflows w
            where w.lease_owner = p_worker and w.queue = p_queue.name and w.status = 'RUNNING'
              and w.lease_expires_at > p_now)
        - (select pg_catalog.count(*)::integer from pgqrs.workflows w
            where w.id = any (p_selected) and w.queue = p_queue.name)));
end
$$;
comment on function pgqrs._worker_room(text, pgqrs.queues, uuid[], integer, timestamptz) is
    'Private. How many more workflows of a queue a worker may start (worker_concurrency).';

-- _key_load(queue, key, selected, now) -> how many workflows of this concurrency key count
-- against key_concurrency now: those running with a live lease, and those of p_selected (a claim's
-- workflows not granted yet) with this key. Reads workflows_running_keyed and the selected rows.
create function pgqrs._key_load(p_queue text, p_key text, p_selected uuid[], p_now timestamptz)
returns integer
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
begin
    -- PL/pgSQL: a SQL function with a SET clause is not inlined and is planned at every call.
    return (select pg_catalog.count(*)::integer from pgqrs.workflows w
             where w.queue = p_queue and w.concurrency_key = p_key and w.status = 'RUNNING'
               and w.lease_owner is not null and w.lease_expires_at > p_now)
         + (select pg_catalog.count(*)::integer from pgqrs.workflows w
             where w.id = any (p_selected) and w.queue = p_queue and w.concurrency_key = p_key);
end
$$;
comment on function pgqrs._key_load(text, text, uuid[], timestamptz) is
    'Private. How many workflows of a concurrency key run (or are being granted) now.';

-- _admissible(owner, queue, key, now) -> whether a workflow of this queue (and concurrency key)
-- that needs no permit could run for p_owner now: the queue is not paused, not full, the owner
-- is under its worker_concurrency and the key under its key_concurrency. What next_claim_at asks
-- of an expired lease before it reports it. Read-only; no locks.
create function pgqrs._admissible(
    p_owner text,
    p_queue pgqrs.queues,
    p_key   text,
    p_now   timestamptz
)
returns boolean
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
begin
    return not p_queue.paused
       and (p_queue.concurrency is null
            or pgqrs._held_slots(p_queue.name, p_now) < p_queue.concurrency)
       and pgqrs._worker_room(p_owner, p_queue, '{}', 1, p_now) > 0
       and (p_key is null or p_queue.key_concurrency is null
            or pgqrs._key_load(p_queue.name, p_key, '{}', p_now) < p_queue.key_concurrency);
end
$$;
comment on function pgqrs._admissible(text, pgqrs.queues, text, timestamptz) is
    'Private. Whether a workflow of a queue could run for an owner now (read-only).';

-- _admit(owner, queue, workflow_id, key, first_start, selected, now) -> admitted
-- Whether a workflow may run for p_owner now under every limit of its queue, taking what it
-- needs when it may: the queue is not paused, p_owner is under its worker_concurrency and the
-- key under its key_concurrency (counted under the key row's lock, taken SKIP LOCKED: false
-- while another claim holds it), then a slot and, for a first start, a permit (_take_capacity).
-- p_selected: the workflows the caller selected and has not granted yet; they count as running.
-- For the workflows a claim does not select from the claim indexes: those it takes over from a
-- runner whose lease expired. Locks: the key row, the slot and permit rows.
create function pgqrs._admit(
    p_owner       text,
    p_queue       pgqrs.queues,
    p_workflow_id uuid,
    p_key         text,
    p_first_start boolean,
    p_selected    uuid[],
    p_now         timestamptz
)
returns boolean
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
begin
    if pgqrs._queue_is_plain(p_queue) and p_queue.key_concurrency is null then
        return true;
    end if;
    if p_queue.paused or pgqrs._worker_room(p_owner, p_queue, p_selected, 1, p_now) = 0 then
        return false;
    end if;
    if p_key is not null and p_queue.key_concurrency is not null then
        perform 1 from pgqrs.queue_keys k
         where k.queue = p_queue.name and k.key = p_key
           for update skip locked;
        if not found then
            if exists (select from pgqrs.queue_keys k
                        where k.queue = p_queue.name and k.key = p_key) then
                return false;  -- another claim is counting this key
            end if;
            insert into pgqrs.queue_keys (queue, key, served_at)
            values (p_queue.name, p_key, p_now)
            on conflict do nothing;
            perform 1 from pgqrs.queue_keys k
             where k.queue = p_queue.name and k.key = p_key
               for update skip locked;
            if not found then
                return false;
            end if;
        end if;
        if pgqrs._key_load(p_queue.name, p_key, p_selected, p_now) >= p_queue.key_concurrency then
            return false;
        end if;
    end if;
    return pgqrs._take_capacity(p_queue, p_workflow_id, p_first_start, p_selected, p_now);
end
$$;
comment on function pgqrs._admit(text, pgqrs.queues, uuid, text, boolean, uuid[], timestamptz) is
    'Private. Whether a workflow may run now under its queue''s limits; takes what it needs.';

-- _claim_expired(worker, names, selected, want, now) -> workflow ids
-- Up to p_want workflows of these names whose runner's lease expired (queued, RUNNING, within
-- their deadline), oldest expiry first, locked FOR NO KEY UPDATE SKIP LOCKED, each admitted by
-- its queue's limits (_admit; p_selected and those taken before it count as running): one that
-- its queue holds back now is left for later, and one that will be moved to DEAD (its
-- recoveries used up) needs no capacity. The caller grants the leases.
create function pgqrs._claim_expired(
    p_worker   text,
    p_names    text[],
    p_selected uuid[],
    p_want     integer,
    p_now      timestamptz
)
returns uuid[]
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_found uuid[];
    v_ids   uuid[] := '{}';
    v_id    uuid;
    v_wf    record;
begin
    v_found := array(
        select w.id
          from pgqrs.workflows w
         where w.name = any (p_names)
           and w.queued
           and w.status = 'RUNNING'
           and w.lease_owner is not null
           and w.lease_expires_at <= p_now
           and (w.deadline_at is null or w.deadline_at > p_now)
         order by w.lease_expires_at, w.id
         limit p_want
           for no key update skip locked);
    foreach v_id in array v_found loop
        select w.queue, w.concurrency_key, w.recoveries, w.max_recoveries into v_wf
          from pgqrs.workflows w where w.id = v_id;
        if v_wf.recoveries + 1 > v_wf.max_recoveries
           or pgqrs._admit(p_worker, pgqrs._queue(v_wf.queue), v_id, v_wf.concurrency_key, false,
                           p_selected || v_ids, p_now) then
            v_ids := v_ids || v_id;
        end if;
    end loop;
    return v_ids;
end
$$;
comment on function pgqrs._claim_expired(text, text[], uuid[], integer, timestamptz) is
    'Private. Selects workflows whose runner''s lease expired, within their queues'' limits.';

-- _claim_queue(worker, queue, name, selected, want, now, hinted) -> workflow ids
-- Up to p_want runnable workflows of this name in this queue, without a concurrency key, highest
-- priority first, then oldest available: locked FOR NO KEY UPDATE SKIP LOCKED, with the slot and
-- permit each needs. A queue without limits takes them in one statement; a limited one one by
-- one, each after it has reserved a slot (so a claim that finds none locks no workflow), and
-- stops when it finds none. Under a rate limit with no permit left it
-- takes only workflows that need none (resumed ones, from workflows_resumable). With p_hinted the scan starts where this
-- session's last claim of the pair started (_claim_hint; see claim), and moves that hint to the
-- first workflow it takes. The caller grants the leases.
create function pgqrs._claim_queue(
    p_worker   text,
    p_queue    pgqrs.queues,
    p_name     text,
    p_selected uuid[],
    p_want     integer,
    p_now      timestamptz,
    p_hinted   boolean
)
returns uuid[]
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_ids    uuid[] := '{}';
    v_room   integer;
    v_from   record;
    v_rank   integer;
    v_at     timestamptz;
    v_first  uuid;
    v_id      uuid;
    v_status  text;
    v_permits boolean;
    v_slot    integer;
begin
    if p_hinted then
        select * into v_from from pgqrs._claim_hint(p_queue.name, p_name);
    else
        select -1001 as rank, '-infinity'::timestamptz as at,
               '00000000-0000-0000-0000-000000000000'::uuid as id
          into v_from;
    end if;
    if pgqrs._queue_is_plain(p_queue) then
        select pg_catalog.array_agg(x.id order by x.rank, x.available_at, x.id),
               (pg_catalog.array_agg(x.rank order by x.rank, x.available_at, x.id))[1],
               (pg_catalog.array_agg(x.available_at order by x.rank, x.available_at, x.id))[1],
               (pg_catalog.array_agg(x.id order by x.rank, x.available_at, x.id))[1]
          into v_ids, v_rank, v_at, v_first
          from (select w.id, - w.priority as rank, w.available_at
                  from pgqrs.workflows w
                 where w.queue = p_queue.name
                   and w.name = p_name
                   and w.concurrency_key is null
                   and w.queued
                   and w.status in ('PENDING', 'RUNNING')
                   and w.lease_owner is null
                   and w.available_at <= p_now
                   and (- w.priority, w.available_at, w.id) >= (v_from.rank, v_from.at, v_from.id)
                   and (w.deadline_at is null or w.deadline_at > p_now)
                   and w.id <> all (p_selected)
                 order by (- w.priority), w.available_at, w.id
                 limit p_want
                   for no key update skip locked) x;
        if v_ids is null then
            return '{}';
        end if;
        perform pgqrs._set_claim_hint(p_queue.name, p_name, v_rank, v_at, v_first);
        return v_ids;
    end if;
    if p_queue.paused then
        return v_ids;
    end if;
    v_room := pgqrs._worker_room(p_worker, p_queue, p_selected, p_want, p_now);
    v_permits := p_queue.rate_limit is null or pgqrs._permit_free(p_queue, p_now);
    while v_room > 0 loop
        -- A slot first: a claim that cannot start anything locks no workflow (_reserve_slot).
        if v_slot is null and p_queue.concurrency is not null then
            v_slot := pgqrs._reserve_slot(p_queue, p_selected || v_ids, p_now);
            exit when v_slot is null;  -- the queue is full
        end if;
        if v_permits then
            select w.id, w.status, - w.priority as rank, w.available_at as at
              into v_id, v_status, v_rank, v_at
              from pgqrs.workflows w
             where w.queue = p_queue.name
               and w.name = p_name
               and w.concurrency_key is null
               and w.queued
               and w.status in ('PENDING', 'RUNNING')
               and w.lease_owner is null
               and w.available_at <= p_now
               and (- w.priority, w.available_at, w.id) >= (v_from.rank, v_from.at, v_from.id)
               and (w.deadline_at is null or w.deadline_at > p_now)
               and w.id <> all (p_selected || v_ids)
             order by (- w.priority), w.available_at, w.id
             limit 1
               for no key update skip locked;
        else
            -- No permit left: only work that needs none, workflows that ran before and wait to
            -- resume (workflows_resumable), however many first starts wait ahead of them.
            select w.id, w.status into v_id, v_status
              from pgqrs.workflows w
             where w.queue = p_queue.name
               and w.name = p_name
               and w.concurrency_key is null
               and w.queued
               and w.status = 'RUNNING'
               and w.lease_owner is null
               and w.available_at <= p_now
               and (w.deadline_at is null or w.deadline_at > p_now)
               and w.id <> all (p_selected || v_ids)
             order by (- w.priority), w.available_at, w.id
             limit 1
               for no key update skip locked;
        end if;
        exit when not found;
        if v_status = 'PENDING' and p_queue.rate_limit is not null
           and not pgqrs._take_permit(p_queue, p_now) then
            v_permits := false;  -- the last one went to another claim meanwhile
            continue;
        end if;
        if v_slot is not null then
            update pgqrs.queue_slots s set workflow_id = v_id
             where s.queue = p_queue.name and s.slot = v_slot;
            v_slot := null;
        end if;
        if v_permits and pg_catalog.cardinality(v_ids) = 0 then
            perform pgqrs._set_claim_hint(p_queue.name, p_name, v_rank, v_at, v_id);
        end if;
        v_ids := v_ids || v_id;
        v_room := v_room - 1;
    end loop;
    return v_ids;
end
$$;
comment on function pgqrs._claim_queue(text, pgqrs.queues, text, uuid[], integer, timestamptz,
                                       boolean) is
    'Private. Selects and locks runnable workflows of a name in a queue, within its limits.';

-- _claim_keys(worker, queue, names, selected, want, now) -> workflow ids
-- Up to p_want runnable workflows with a concurrency key in this queue, among the names the
-- worker serves: round-robin over keys, the key served longest ago first, one workflow per key
-- per pass (so one busy key cannot take a claim from the others), at most the queue's
-- key_concurrency running per key (counted under the key row's lock), each key's highest
-- priority and oldest workflow first, with the slot and permit each needs. A key served, or found
-- at its limit, goes to the back (served_at = now). It looks at 50 keys at most per call,
-- skipping keys another claimer holds (SKIP LOCKED), and drops a key that has no workflow left
-- to run, queued or held by a runner (_note_queue makes it again for a new, resumed, revived or
-- forked one).
create function pgqrs._claim_keys(
    p_worker   text,
    p_queue    pgqrs.queues,
    p_names    text[],
    p_selected uuid[],
    p_want     integer,
    p_now      timestamptz
)
returns uuid[]
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_ids      uuid[] := '{}';
    v_room     integer;
    v_keys     text[];
    v_open     text[];
    v_key      text;
    v_running  integer;
    v_id       uuid;
    v_status   text;
    v_progress boolean := true;
    v_seen     text[] := '{}';
    v_permits  boolean;
    v_slot     integer;
begin
    if p_queue.paused then
        return v_ids;
    end if;
    v_permits := p_queue.rate_limit is null or pgqrs._permit_free(p_queue, p_now);
    v_room := pgqrs._worker_room(p_worker, p_queue, p_selected, p_want, p_now);
    if v_room <= 0 then
        return v_ids;
    end if;
    v_keys := array(select k.key from pgqrs.queue_keys k
                     where k.queue = p_queue.name
                     order by k.served_at, k.key
                     limit 50
                       for update skip locked);
    v_open := v_keys;
    while v_room > 0 and v_progress loop
        v_progress := false;
        foreach v_key in array v_open loop
            exit when v_room <= 0;
            -- A slot first: a claim that cannot start anything locks no workflow.
            if v_slot is null and p_queue.concurrency is not null then
                v_slot := pgqrs._reserve_slot(p_queue, p_selected || v_ids, p_now);
                if v_slot is null then
                    v_room := 0;  -- the queue is full
                    exit;
                end if;
            end if;
            v_running := pgqrs._key_load(p_queue.name, v_key, p_selected || v_ids, p_now);
            if v_running >= p_queue.key_concurrency then
                v_open := pg_catalog.array_remove(v_open, v_key);
                v_seen := v_seen || v_key;
                continue;
            end if;
            if v_permits then
                select w.id, w.status into v_id, v_status
                  from pgqrs.workflows w
                 where w.queue = p_queue.name
                   and w.concurrency_key = v_key
                   and w.name = any (p_names)
                   and w.queued
                   and w.status in ('PENDING', 'RUNNING')
                   and w.lease_owner is null
                   and w.available_at <= p_now
                   and (w.deadline_at is null or w.deadline_at > p_now)
                   and w.id <> all (v_ids)
                 order by (- w.priority), w.available_at, w.id
                 limit 1
                   for no key update skip locked;
            else
                -- No permit left: only resumed workflows, which need none
                -- (workflows_resumable_keyed).
                select w.id, w.status into v_id, v_status
                  from pgqrs.workflows w
                 where w.queue = p_queue.name
                   and w.concurrency_key = v_key
                   and w.name = any (p_names)
                   and w.queued
                   and w.status = 'RUNNING'
                   and w.lease_owner is null
                   and w.available_at <= p_now
                   and (w.deadline_at is null or w.deadline_at > p_now)
                   and w.id <> all (v_ids)
                 order by (- w.priority), w.available_at, w.id
                 limit 1
                   for no key update skip locked;
            end if;
            if not found then
                v_open := pg_catalog.array_remove(v_open, v_key);
                v_seen := v_seen || v_key;
                -- No workflow of the key left to run: neither queued nor held by a runner (a
                -- lease that expired will be taken over, and may suspend again).
                if not exists (
                       select from pgqrs.workflows w
                        where w.queue = p_queue.name and w.concurrency_key = v_key and w.queued
                          and w.status in ('PENDING', 'RUNNING') and w.lease_owner is null)
                   and not exists (
                       select from pgqrs.workflows w
                        where w.queue = p_queue.name and w.concurrency_key = v_key
                          and w.status = 'RUNNING' and w.lease_owner is not null) then
                    delete from pgqrs.queue_keys k
                     where k.queue = p_queue.name and k.key = v_key;
                end if;
                continue;
            end if;
            if v_status = 'PENDING' and p_queue.rate_limit is not null
               and not pgqrs._take_permit(p_queue, p_now) then
                v_permits := false;  -- this key keeps its turn; resumed work only from now on
                v_progress := true;  -- so that the next pass looks at it for resumed work
                continue;
            end if;
            if v_slot is not null then
                update pgqrs.queue_slots s set workflow_id = v_id
                 where s.queue = p_queue.name and s.slot = v_slot;
                v_slot := null;
            end if;
            v_ids := v_ids || v_id;
            v_room := v_room - 1;
            v_progress := true;
            v_seen := v_seen || v_key;
        end loop;
    end loop;
    -- The keys served, found at their limit, or idle go to the back; a key this claim did not
    -- get to (the queue filled up first) keeps its turn.
    update pgqrs.queue_keys k set served_at = p_now
     where k.queue = p_queue.name and k.key = any (v_seen);
    return v_ids;
end
$$;
comment on function pgqrs._claim_keys(text, pgqrs.queues, text[], uuid[], integer, timestamptz) is
    'Private. Selects runnable workflows with concurrency keys, round-robin, within the limits.';

-- _held_slots(queue, now) -> how many of the queue's slots are held by a workflow running with
-- a live lease (all rows, also those above a lowered limit).
create function pgqrs._held_slots(p_queue text, p_now timestamptz)
returns integer
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
begin
    -- PL/pgSQL: a SQL function with a SET clause is not inlined and is planned at every call.
    return (select pg_catalog.count(*)::integer
              from pgqrs.queue_slots s
              join pgqrs.workflows w on w.id = s.workflow_id
             where s.queue = p_queue
               and w.status = 'RUNNING' and w.lease_owner is not null
               and w.lease_expires_at > p_now);
end
$$;
comment on function pgqrs._held_slots(text, timestamptz) is
    'Private. How many slots of a queue are held by a workflow running with a live lease.';

-- set_queue(queue, settings) -> the queue's settings
-- Creates or changes a queue's limits, at run time: the next claim applies them. p_settings is a
-- JSON object; a key that is absent leaves its setting as it is, a key set to null removes it
-- (no limit), an unknown key raises PQ008:
--   concurrency          1..100000   at most this many of the queue's workflows running with a
--                                    live lease, across all workers
--   worker_concurrency   1..10000    at most this many per worker
--   rate_limit           1..100000   at most this many first starts per rate_period_seconds,
--   rate_period_seconds  (0, 2678400]  across all workers (both or neither)
--   key_concurrency      1..10000    at most this many running per concurrency key
--   paused               boolean     a paused queue hands out nothing
-- A lower concurrency takes effect as running workflows finish: no new one starts while as many
-- as the new limit run. A claim that started before the change committed may still start work
-- under the settings it read. A changed rate limit or period counts the permits used before as used at
-- the latest start, so a period passes after the latest start before a start is counted anew.
-- Locks: the queue row, then its slot and permit rows. Errors: PQ008.
create function pgqrs.set_queue(p_queue text, p_settings jsonb default '{}')
returns table (
    name                text,
    concurrency         integer,
    worker_concurrency  integer,
    rate_limit          integer,
    rate_period_seconds double precision,
    key_concurrency     integer,
    paused              boolean,
    updated_at          timestamptz
)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now      timestamptz := pgqrs.now();
    v_settings jsonb := coalesce(p_settings, '{}'::jsonb);
    v_unknown  text;
    v_old      pgqrs.queues;
    v_new      pgqrs.queues;
    v_slot     integer;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_queue_name(p_queue);
    if pg_catalog.jsonb_typeof(v_settings) <> 'object' then
        raise exception 'pgqrs: queue settings must be a JSON object' using errcode = 'PQ008';
    end if;
    select k into v_unknown
      from pg_catalog.jsonb_object_keys(v_settings) k
     where k not in ('concurrency', 'worker_concurrency', 'rate_limit', 'rate_period_seconds',
                     'key_concurrency', 'paused')
     limit 1;
    if found then
        raise exception 'pgqrs: unknown queue setting %', v_unknown using errcode = 'PQ008';
    end if;

    insert into pgqrs.queues as q (name, created_at, updated_at)
    values (p_queue, v_now, v_now)
    on conflict do nothing;
    select * into v_old from pgqrs.queues q where q.name = p_queue for update;
    v_new := v_old;
    begin
        if v_settings ? 'concurrency' then
            v_new.concurrency := (v_settings ->> 'concurrency')::integer;
        end if;
        if v_settings ? 'worker_concurrency' then
            v_new.worker_concurrency := (v_settings ->> 'worker_concurrency')::integer;
        end if;
        if v_settings ? 'rate_limit' then
            v_new.rate_limit := (v_settings ->> 'rate_limit')::integer;
        end if;
        if v_settings ? 'rate_period_seconds' then
            v_new.rate_period := (v_settings ->> 'rate_period_seconds')::float8
                                 * interval '1 second';
        end if;
        if v_settings ? 'key_concurrency' then
            v_new.key_concurrency := (v_settings ->> 'key_concurrency')::integer;
        end if;
        if v_settings ? 'paused' then
            v_new.paused := coalesce((v_settings ->> 'paused')::boolean, false);
        end if;
    exception
        when invalid_text_representation or numeric_value_out_of_range
             or datetime_field_overflow or interval_field_overflow then
            raise exception 'pgqrs: invalid queue settings %: %', v_settings::text, sqlerrm
                using errcode = 'PQ008';
    end;
    if not coalesce(v_new.concurrency between 1 and 100000, true)
       or not coalesce(v_new.worker_concurrency between 1 and 10000, true)
       or not coalesce(v_new.rate_limit between 1 and 100000, true)
       or not coalesce(v_new.key_concurrency between 1 and 10000, true)
       or not coalesce(v_new.rate_period > interval '0' and v_new.rate_period <= interval '31 days',
                       true)
       or (v_new.rate_limit is null) <> (v_new.rate_period is null) then
        raise exception 'pgqrs: queue settings out of range: %', v_settings::text
            using errcode = 'PQ008',
                  hint = 'concurrency 1..100000, worker_concurrency 1..10000, rate_limit '
                         '1..100000 with rate_period_seconds in (0, 2678400], key_concurrency '
                         '1..10000.';
    end if;

    update pgqrs.queues q
       set concurrency = v_new.concurrency,
           worker_concurrency = v_new.worker_concurrency,
           rate_limit = v_new.rate_limit,
           rate_period = v_new.rate_period,
           key_concurrency = v_new.key_concurrency,
           paused = v_new.paused,
           updated_at = v_now
     where q.name = p_queue;

    -- Slots 1..concurrency; a slot above a lowered limit goes once its holder no longer runs
    -- (_take_slot). Each is locked first, waiting for a claim that is taking it, then judged in
    -- a statement of its own, which sees that claim's grant.
    if v_new.concurrency is not null then
        insert into pgqrs.queue_slots (queue, slot)
        select p_queue, g from pg_catalog.generate_series(1, v_new.concurrency) g
        on conflict do nothing;
    end if;
    for v_slot in
        select s.slot from pgqrs.queue_slots s
         where s.queue = p_queue
           and (v_new.concurrency is null or s.slot > v_new.concurrency)
         order by s.slot
           for update
    loop
        delete from pgqrs.queue_slots s
         where s.queue = p_queue and s.slot = v_slot
           and not exists (select from pgqrs.workflows w
                            where w.id = s.workflow_id and w.status = 'RUNNING'
                              and w.lease_owner is not null
                              and w.lease_expires_at > v_now);
    end loop;
    -- Permits 1..rate_limit; when the rate changes, every permit counts as used at the latest
    -- start, so the new rate never lets more through in the period after a change.
    if v_new.rate_limit is distinct from v_old.rate_limit
       or v_new.rate_period is distinct from v_old.rate_period then
        update pgqrs.queue_permits p
           set used_at = (select max(o.used_at) from pgqrs.queue_permits o where o.queue = p_queue)
         where p.queue = p_queue;
        delete from pgqrs.queue_permits p
         where p.queue = p_queue and (v_new.rate_limit is null or p.permit > v_new.rate_limit);
        if v_new.rate_limit is not null then
            insert into pgqrs.queue_permits (queue, permit, used_at)
            select p_queue, g,
                   coalesce((select max(o.used_at) from pgqrs.queue_permits o
                              where o.queue = p_queue), '1970-01-01 00:00:00+00')
              from pg_catalog.generate_series(1, v_new.rate_limit) g
            on conflict do nothing;
        end if;
    end if;
    -- Looser limits may let waiting work start now.
    perform pg_catalog.pg_notify('pgqrs_work', '*');
    return query
        select q.name, q.concurrency, q.worker_concurrency, q.rate_limit,
               extract(epoch from q.rate_period)::float8, q.key_concurrency, q.paused,
               q.updated_at
          from pgqrs.queues q where q.name = p_queue;
end
$$;
comment on function pgqrs.set_queue(text, jsonb) is
    'Creates or changes a queue''s limits (concurrency, per worker, rate, per key, pause).';

-- delete_queue(queue) -> deleted
-- Removes a queue's settings, slots, permits and keys: its workflows stay, now without limits
-- (a queue without settings has none). False when it had no settings. Locks: the queue row.
-- Errors: PQ008 (bad name).
create function pgqrs.delete_queue(p_queue text)
returns boolean
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_queue_name(p_queue);
    delete from pgqrs.queue_slots s where s.queue = p_queue;
    delete from pgqrs.queue_permits p where p.queue = p_queue;
    delete from pgqrs.queues q where q.name = p_queue;
    if not found then
        return false;
    end if;
    perform pg_catalog.pg_notify('pgqrs_work', '*');
    return true;
end
$$;
comment on function pgqrs.delete_queue(text) is
    'Removes a queue''s settings: its workflows stay, without limits.';

-- list_queues() -> one row per queue that has settings or queued work
-- Each queue's settings and what it holds now: queued (waiting for a runner, available or not),
-- running (with a live lease), the slots held and the permits free. Reads the queue's slots,
-- permits and workflows; a count is as large as the queue. Read-only; no locks.
create function pgqrs.list_queues()
returns table (
    name                text,
    concurrency         integer,
    worker_concurrency  integer,
    rate_limit          integer,
    rate_period_seconds double precision,
    key_concurrency     integer,
    paused              boolean,
    queued              bigint,
    running             bigint,
    permits_free        integer,
    keys                bigint
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now timestamptz := pgqrs.now();
begin
    return query
    select n.queue, q.concurrency, q.worker_concurrency, q.rate_limit,
           extract(epoch from q.rate_period)::float8, q.key_concurrency, coalesce(q.paused, false),
           (select pg_catalog.count(*) from pgqrs.workflows w
             where w.queue = n.queue and w.queued and w.status in ('PENDING', 'RUNNING')
               and w.lease_owner is null),
           (select pg_catalog.count(*) from pgqrs.workflows w
             where w.queue = n.queue and w.status = 'RUNNING' and w.lease_owner is not null
               and w.lease_expires_at > v_now),
           case when q.rate_limit is not null then
               (select pg_catalog.count(*)::integer from pgqrs.queue_permits p
                 where p.queue = n.queue and p.permit <= q.rate_limit
                   and p.used_at <= v_now - q.rate_period) end,
           (select pg_catalog.count(*) from pgqrs.queue_keys k where k.queue = n.queue)
      from (select q2.name as queue from pgqrs.queues q2
            union
            select qn.queue from pgqrs.queue_names qn) n
      left join pgqrs.queues q on q.name = n.queue
     order by n.queue;
end
$$;
comment on function pgqrs.list_queues() is
    'Queues with their settings, queued and running workflows, free permits and keys.';

-- _held_by(workflow, now) -> why a queued workflow is not running now, or NULL
-- For a queued PENDING or RUNNING workflow that no runner holds: what it waits for
-- ('waiting for message:<topic>'), a time ('available at ...': run_at, a sleep, a backoff, a
-- debounce), a paused queue, a full queue ('queue q: concurrency 4 of 4'), a rate limit, its
-- concurrency key at its limit, or no live worker serving its name. NULL when nothing holds it
-- (a worker will claim it) or it is not waiting to run. Read-only.
create function pgqrs._held_by(p_wf pgqrs.workflows, p_now timestamptz)
returns text
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_queue pgqrs.queues;
    v_count integer;
begin
    if not p_wf.queued or p_wf.status not in ('PENDING', 'RUNNING') then
        return null;
    end if;
    if p_wf.lease_owner is not null and p_wf.lease_expires_at > p_now then
        return null;  -- running
    end if;
    if p_wf.waiting_for is not null then
        return 'waiting for ' || p_wf.waiting_for;
    end if;
    if p_wf.available_at is null then
        return 'waiting to be woken';
    end if;
    if p_wf.available_at > p_now then
        return 'available at ' || p_wf.available_at::text;
    end if;
    v_queue := pgqrs._queue(p_wf.queue);
    if v_queue.paused then
        return pg_catalog.format('queue %s is paused', p_wf.queue);
    end if;
    if v_queue.concurrency is not null then
        v_count := pgqrs._held_slots(p_wf.queue, p_now);
        if v_count >= v_queue.concurrency then
            return pg_catalog.format('queue %s: concurrency %s of %s', p_wf.queue, v_count,
                                     v_queue.concurrency);
        end if;
    end if;
    if v_queue.rate_limit is not null and p_wf.status = 'PENDING'
       and not exists (select from pgqrs.queue_permits p
                        where p.queue = p_wf.queue and p.permit <= v_queue.rate_limit
                          and p.used_at <= p_now - v_queue.rate_period) then
        return pg_catalog.format('queue %s: rate limit %s per %s', p_wf.queue,
                                 v_queue.rate_limit, v_queue.rate_period);
    end if;
    if p_wf.concurrency_key is not null and v_queue.key_concurrency is not null then
        select pg_catalog.count(*)::integer into v_count
          from pgqrs.workflows w
         where w.queue = p_wf.queue and w.concurrency_key = p_wf.concurrency_key
           and w.status = 'RUNNING' and w.lease_owner is not null and w.lease_expires_at > p_now;
        if v_count >= v_queue.key_concurrency then
            return pg_catalog.format('queue %s: key %s at %s of %s', p_wf.queue,
                                     p_wf.concurrency_key, v_count, v_queue.key_concurrency);
        end if;
    end if;
    if not exists (select from pgqrs.workers k
                    where p_wf.name = any (k.workflows) and k.stopped_at is null
                      and k.heartbeat_at > p_now - interval '30 seconds') then
        return 'no live worker serves ' || p_wf.name;
    end if;
    return null;
end
$$;
comment on function pgqrs._held_by(pgqrs.workflows, timestamptz) is
    'Private. Why a queued workflow is not running now (NULL: nothing holds it).';

-- _earliest_at(queue, names, key, resumed) -> the earliest available_at among the runnable
-- workflows of these names in the queue (queued, PENDING or RUNNING, no runner; with p_key: of
-- that concurrency key, else those without one; with p_resumed: only those that ran before and
-- wait to resume), whatever their priority; NULL when there is none. The claim indexes are in
-- priority order, and a higher priority may become available later: so it reads one entry per
-- distinct priority (the first of each, then the earliest of it), not the whole queue.
-- Read-only; no locks.
create function pgqrs._earliest_at(
    p_queue   text,
    p_names   text[],
    p_key     text,
    p_resumed boolean
)
returns timestamptz
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_name text;
    v_rank integer;
    v_at   timestamptz;
    v_next timestamptz;
begin
    if p_key is not null and p_resumed then
        -- The resumed ones of one key (workflows_resumable_keyed): few.
        return (select min(w.available_at) from pgqrs.workflows w
                 where w.queue = p_queue and w.concurrency_key = p_key
                   and w.name = any (p_names) and w.queued and w.status = 'RUNNING'
                   and w.lease_owner is null);
    end if;
    foreach v_name in array case when p_key is null then p_names else array[null::text] end loop
        v_rank := -1001;
        loop
            if p_key is not null then
                select - w.priority into v_rank from pgqrs.workflows w
                 where w.queue = p_queue and w.concurrency_key = p_key
                   and w.queued and w.status in ('PENDING', 'RUNNING') and w.lease_owner is null
                   and w.name = any (p_names) and (- w.priority) > v_rank
                 order by (- w.priority)
                 limit 1;
                exit when not found;
                select w.available_at into v_at from pgqrs.workflows w
                 where w.queue = p_queue and w.concurrency_key = p_key
                   and w.queued and w.status in ('PENDING', 'RUNNING') and w.lease_owner is null
                   and w.name = any (p_names) and (- w.priority) = v_rank
                   and w.available_at is not null
                 order by w.available_at
                 limit 1;
            elsif p_resumed then
                select - w.priority into v_rank from pgqrs.workflows w
                 where w.queue = p_queue and w.name = v_name and w.concurrency_key is null
                   and w.queued and w.status = 'RUNNING' and w.lease_owner is null
                   and (- w.priority) > v_rank
                 order by (- w.priority)
                 limit 1;
                exit when not found;
                select w.available_at into v_at from pgqrs.workflows w
                 where w.queue = p_queue and w.name = v_name and w.concurrency_key is null
                   and w.queued and w.status = 'RUNNING' and w.lease_owner is null
                   and (- w.priority) = v_rank and w.available_at is not null
                 order by w.available_at
                 limit 1;
            else
                select - w.priority into v_rank from pgqrs.workflows w
                 where w.queue = p_queue and w.name = v_name and w.concurrency_key is null
                   and w.queued and w.status in ('PENDING', 'RUNNING') and w.lease_owner is null
                   and (- w.priority) > v_rank
                 order by (- w.priority)
                 limit 1;
                exit when not found;
                select w.available_at into v_at from pgqrs.workflows w
                 where w.queue = p_queue and w.name = v_name and w.concurrency_key is null
                   and w.queued and w.status in ('PENDING', 'RUNNING') and w.lease_owner is null
                   and (- w.priority) = v_rank and w.available_at is not null
                 order by w.available_at
                 limit 1;
            end if;
            v_next := least(v_next, v_at);
        end loop;
    end loop;
    return v_next;
end
$$;
comment on function pgqrs._earliest_at(text, text[], text, boolean) is
    'Private. The earliest available_at of a queue''s runnable workflows, over every priority.';

-- _queue_next_at(worker, queue, names, now) -> when this worker could next start work of these
-- names in this queue, NULL for never without a notification: the earliest available_at of its
-- runnable workflows (of the keys under their limit, for keyed work; _earliest_at); under a rate
-- limit with no permit free, not before the next permit frees, except for resumed workflows,
-- which need none; NULL while the queue is paused, full, or this worker is at its limit there
-- (whatever frees capacity sends NOTIFY pgqrs_work). Read-only.
create function pgqrs._queue_next_at(
    p_worker text,
    p_queue  pgqrs.queues,
    p_names  text[],
    p_now    timestamptz
)
returns timestamptz
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_next   timestamptz;
    v_at     timestamptz;
    v_permit timestamptz;
    v_key    text;
begin
    if p_queue.paused
       or (p_queue.concurrency is not null
           and pgqrs._held_slots(p_queue.name, p_now) >= p_queue.concurrency)
       or pgqrs._worker_room(p_worker, p_queue, '{}', 1, p_now) = 0 then
        return null;
    end if;
    -- When the next permit frees, if none is free now.
    if p_queue.rate_limit is not null then
        select min(pm.used_at) + p_queue.rate_period into v_permit
          from pgqrs.queue_permits pm
         where pm.queue = p_queue.name and pm.permit <= p_queue.rate_limit;
        if v_permit <= p_now then
            v_permit := null;
        end if;
    end if;
    v_next := pgqrs._earliest_at(p_queue.name, p_names, null, false);
    if v_permit is not null and v_next is not null then
        v_next := least(greatest(v_next, v_permit),
                        pgqrs._earliest_at(p_queue.name, p_names, null, true));
    end if;
    -- Keyed work: the keys under their limit (at most 50, as a claim looks at).
    for v_key in
        select k.key from pgqrs.queue_keys k
         where k.queue = p_queue.name
         order by k.served_at, k.key
         limit 50
    loop
        continue when p_queue.key_concurrency is not null
                      and pgqrs._key_load(p_queue.name, v_key, '{}', p_now)
                          >= p_queue.key_concurrency;
        v_at := pgqrs._earliest_at(p_queue.name, p_names, v_key, false);
        if v_permit is not null and v_at is not null then
            v_at := least(greatest(v_at, v_permit),
                          pgqrs._earliest_at(p_queue.name, p_names, v_key, true));
        end if;
        v_next := least(v_next, v_at);
    end loop;
    return v_next;
end
$$;
comment on function pgqrs._queue_next_at(text, pgqrs.queues, text[], timestamptz) is
    'Private. When a worker could next start work of its names in a queue (NULL: when told).';

-- start_workflows(name, inputs, idempotency_keys, options) -> one row per item, in item order:
--   (item, workflow_id, created, status)
-- Enqueues many workflows of one name in one call and one statement: p_inputs is a JSON array
-- (the nth element is the nth workflow's input), p_idempotency_keys (optional) an array of the
-- same length whose nth key names the nth workflow (NULL elements: no key). Idempotent per item
-- with a key: an item whose key names a workflow of this name and input already returns it
-- (created = false); another name or input raises PQ006, and nothing is enqueued. p_options are
-- those of submit_workflow that make sense for many: queue (a queue name, or true), priority,
-- concurrency_key, run_at, max_recoveries, deadline, timeout_seconds, max_attempts,
-- retry_backoff_seconds, retry_max_backoff_seconds. NOTIFY pgqrs_work once. Durable commit.
-- Locks: the new rows (and waits, like create_workflow, for concurrent inserts of the same key).
-- Errors: PQ006, PQ007 (an input over the payload limit), PQ008 (not an array, over 100000
-- items, keys of another length or a blank or oversized key, a bad name or option, or id,
-- idempotency_key, parent_id or debounce options, which name one workflow), PQ013.
create function pgqrs.start_workflows(
    p_name             text,
    p_inputs           jsonb,
    p_idempotency_keys text[] default null,
    p_options          jsonb default '{}'
)
returns table (item integer, workflow_id uuid, created boolean, status text)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
-- A plan per call: with the arrays as constants, "= any (v_made)" and "<> all (v_made)" are hash
-- lookups; a generic plan (PostgreSQL's choice from a session's sixth call on) compares every id
-- with every other, quadratic in the number of items (5 s instead of 1 s for 40,000).
set plan_cache_mode = force_custom_plan
as $$
declare
    v_now   timestamptz := pgqrs.now();
    v_opt   record;
    v_count integer;
    v_bad   record;
    v_ids   uuid[];
    v_made  uuid[];
    v_limit bigint := pgqrs._max_payload_bytes();
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_text('workflow name', p_name, 255);
    if p_inputs is null or pg_catalog.jsonb_typeof(p_inputs) <> 'array' then
        raise exception 'pgqrs: inputs must be a JSON array' using errcode = 'PQ008';
    end if;
    v_count := pg_catalog.jsonb_array_length(p_inputs);
    if v_count > 100000 then
        raise exception 'pgqrs: at most 100000 workflows per call, got %', v_count
            using errcode = 'PQ008';
    end if;
    if p_idempotency_keys is not null
       and coalesce(pg_catalog.cardinality(p_idempotency_keys), 0) <> v_count then
        raise exception 'pgqrs: % idempotency keys for % inputs',
            pg_catalog.cardinality(p_idempotency_keys), v_count
            using errcode = 'PQ008';
    end if;
    if exists (select from pg_catalog.unnest(p_idempotency_keys) k
                where k is not null and (k !~ '[^[:space:]]' or pg_catalog.length(k) > 255)) then
        raise exception 'pgqrs: an idempotency key is blank or over 255 characters'
            using errcode = 'PQ008';
    end if;
    if coalesce(p_options, '{}'::jsonb) ?| array['id', 'idempotency_key', 'parent_id',
                                                   'debounce_key', 'debounce_seconds'] then
        raise exception 'pgqrs: start_workflows takes no id, idempotency_key, parent_id or '
                        'debounce option (each names one workflow)'
            using errcode = 'PQ008';
    end if;
    v_opt := pgqrs._workflow_options(p_options, v_now);
    if not v_opt.queue then
        raise exception 'pgqrs: start_workflows enqueues for workers: queue must not be false'
            using errcode = 'PQ008';
    end if;
    -- Every input within the limits (checked like _check_payload: the depth of large ones).
    for v_bad in
        select e.ordinality::integer as n, e.value
          from pg_catalog.jsonb_array_elements(p_inputs) with ordinality e
         where pg_catalog.pg_column_size(e.value) >= 2048
            or pg_catalog.pg_column_size(e.value) > v_limit
    loop
        perform pgqrs._check_payload('input of item ' || v_bad.n, v_bad.value);
    end loop;

    -- Ids in item order: all items share one available_at, so FIFO among them is by id, and
    -- version 7 UUIDs made in the same millisecond are in random order until sorted.
    v_ids := array(select u.id
                     from (select pgqrs._uuid_v7() as id
                             from pg_catalog.generate_series(1, v_count)) u
                    order by u.id);
    with made as (
        insert into pgqrs.workflows as w (id, name, idempotency_key, input, created_at,
                                          updated_at, queued, available_at, max_recoveries, queue,
                                          priority, concurrency_key, deadline_at, max_attempts,
                                          retry_backoff, retry_max_backoff, traceparent)
        select v_ids[i], p_name, p_idempotency_keys[i], p_inputs -> (i - 1), v_now, v_now, true,
               coalesce(v_opt.run_at, v_now), coalesce(v_opt.max_recoveries, 5),
               coalesce(v_opt.queue_name, 'default'), coalesce(v_opt.priority, 0),
               v_opt.concurrency_key, v_opt.deadline, v_opt.max_attempts, v_opt.backoff,
               v_opt.max_backoff, v_opt.traceparent
          from pg_catalog.generate_series(1, v_count) i
         order by i
        on conflict do nothing
        returning w.id
    )
    select coalesce(pg_catalog.array_agg(m.id), '{}') into v_made from made m;

    -- Items whose key named a workflow already: that one, if it is the same call.
    if pg_catalog.cardinality(v_made) < v_count then
        for v_bad in
            select i, w.id, w.name, w.input
              from pg_catalog.generate_series(1, v_count) i
              left join pgqrs.workflows w on w.idempotency_key = p_idempotency_keys[i]
             where v_ids[i] <> all (v_made)
        loop
            if v_bad.id is null or v_bad.id = any (v_made) then
                raise exception 'pgqrs: item % has the same idempotency key as another item',
                    v_bad.i
                    using errcode = 'PQ006';
            end if;
            if v_bad.name <> p_name or v_bad.input is distinct from p_inputs -> (v_bad.i - 1) then
                raise exception 'pgqrs: item % has the idempotency key of workflow % with a '
                                'different %', v_bad.i, v_bad.id,
                    case when v_bad.name <> p_name then 'name (' || v_bad.name || ')'
                         else 'input' end
                    using errcode = 'PQ006';
            end if;
            v_ids[v_bad.i] := v_bad.id;
        end loop;
    end if;

    perform pgqrs._note_queue(coalesce(v_opt.queue_name, 'default'), p_name,
                              v_opt.concurrency_key);
    perform pgqrs._notify('pgqrs_work', 'work:' || p_name);
    return query
        select u.i::integer, u.id, u.id = any (v_made), w.status
          from pg_catalog.unnest(v_ids) with ordinality u (id, i)
          join pgqrs.workflows w on w.id = u.id
         order by u.i;
end
$$;
comment on function pgqrs.start_workflows(text, jsonb, text[], jsonb) is
    'Enqueues many workflows of one name in one call; idempotent per item with a key.';
