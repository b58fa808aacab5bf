-- A workflow's life: creating and enqueueing it (create, start, submit), and its outcome
-- (complete, fail, and workflow retries).

-- _create_workflow(name, input, id, idempotency_key, queue, run_at, max_recoveries, queue_name,
--                  priority, concurrency_key, debounce_key) -> (workflow_id, created, status)
-- The body of create_workflow, start_workflow and submit_workflow. With p_queue the workflow is
-- enqueued for workers in queue p_queue_name ('default' when NULL; available from p_run_at or
-- now, with p_priority and p_concurrency_key) and NOTIFY pgqrs_work announces its name; an
-- existing PENDING workflow that is not queued yet is enqueued the same way. With
-- p_debounce_key, a PENDING workflow of this name that waits with the same key takes the new
-- input and waits until p_run_at again (created = false): a burst of starts runs once.
create function pgqrs._create_workflow(
    p_name            text,
    p_input           jsonb,
    p_id              uuid,
    p_idempotency_key text,
    p_queue           boolean,
    p_run_at          timestamptz,
    p_max_recoveries  integer,
    p_queue_name      text,
    p_priority        integer,
    p_concurrency_key text,
    p_debounce_key    text
)
returns table (workflow_id uuid, created boolean, status text)
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now    timestamptz := pgqrs.now();
    v_queue  text := coalesce(p_queue_name, 'default');
    v_id     uuid;
    v_by_id  pgqrs.workflows;
    v_by_key pgqrs.workflows;
    v_found  pgqrs.workflows;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_text('workflow name', p_name, 255);
    if p_idempotency_key is not null then
        perform pgqrs._check_text('idempotency key', p_idempotency_key, 255);
    end if;
    if p_max_recoveries is not null and not (p_max_recoveries between 0 and 1000) then
        raise exception 'pgqrs: max recoveries must be between 0 and 1000, got %',
            p_max_recoveries
            using errcode = 'PQ008';
    end if;
    perform pgqrs._check_time('run at', p_run_at);
    perform pgqrs._check_payload('workflow input', p_input);

    for v_attempt in 1..3 loop
        -- A debounced start while one waits: postpone that one, with the latest input.
        if p_debounce_key is not null then
            update pgqrs.workflows w
               set input = p_input, available_at = coalesce(p_run_at, v_now), updated_at = v_now
             where w.name = p_name and w.debounce_key = p_debounce_key and w.status = 'PENDING'
               and (p_idempotency_key is null or w.idempotency_key = p_idempotency_key)
            returning w.id into v_id;
            if v_id is not null then
                return query select v_id, false, 'PENDING'::text;
                return;
            end if;
        end if;
        insert into pgqrs.workflows as w (id, name, idempotency_key, input, created_at, updated_at,
                                          queued, available_at, max_recoveries, queue, priority,
                                          concurrency_key, debounce_key)
        values (coalesce(p_id, pgqrs._uuid_v7()), p_name, p_idempotency_key, p_input, v_now, v_now,
                p_queue, case when p_queue then coalesce(p_run_at, v_now) end,
                coalesce(p_max_recoveries, 5), v_queue, coalesce(p_priority, 0),
                p_concurrency_key, p_debounce_key)
        on conflict do nothing
        returning w.id into v_id;
        if v_id is not null then
            if p_queue then
                perform pgqrs._note_queue(v_queue, p_name, p_concurrency_key);
                perform pgqrs._notify('pgqrs_work', 'work:' || p_name);
            end if;
            return query select v_id, true, 'PENDING'::text;
            return;
        end if;
        if p_debounce_key is not null
           and exists (select from pgqrs.workflows w
                        where w.name = p_name and w.debounce_key = p_debounce_key
                          and w.status = 'PENDING') then
            continue;  -- a concurrent debounced start inserted first: postpone that one
        end if;

        -- The id or the key exists already: return that workflow if the call matches it.
        v_by_id := null;
        v_by_key := null;
        if p_id is not null then
            select * into v_by_id from pgqrs.workflows w where w.id = p_id;
        end if;
        if p_idempotency_key is not null then
            select * into v_by_key from pgqrs.workflows w where w.idempotency_key = p_idempotency_key;
        end if;
        if v_by_id.id is not null then
            v_found := v_by_id;
        else
            v_found := v_by_key;
        end if;
        if v_found.id is null then
            continue;  -- the conflicting row was deleted meanwhile; insert again
        end if;
        if (p_id is not null and v_found.id is distinct from p_id)
           or (p_idempotency_key is not null and v_found.idempotency_key is distinct from p_idempotency_key)
           or v_found.name is distinct from p_name
           or v_found.input is distinct from p_input then
            raise exception 'pgqrs: workflow % already exists with a different %',
                v_found.id,
                case
                    when p_id is not null and v_found.id is distinct from p_id then 'id for that key'
                    when p_idempotency_key is not null
                         and v_found.idempotency_key is distinct from p_idempotency_key
                        then 'idempotency key'
                    when v_found.name is distinct from p_name then 'name (' || v_found.name || ')'
                    else 'input'
                end
                using errcode = 'PQ006',
                      hint = 'An id or idempotency key names one workflow; reuse it only for the same call.';
        end if;
        if p_queue and not v_found.queued and v_found.status = 'PENDING' then
            update pgqrs.workflows w
               set queued = true, available_at = coalesce(p_run_at, v_now), updated_at = v_now,
                   queue = v_queue, priority = coalesce(p_priority, 0),
                   concurrency_key = p_concurrency_key
             where w.id = v_found.id;
            perform pgqrs._note_queue(v_queue, p_name, p_concurrency_key);
            perform pgqrs._notify('pgqrs_work', 'work:' || p_name);
        end if;
        return query select v_found.id, false, v_found.status;
        return;
    end loop;
    raise exception 'pgqrs: could not create workflow % after repeated conflicts', p_name
        using errcode = 'PQ006';
end
$$;
comment on function pgqrs._create_workflow(text, jsonb, uuid, text, boolean, timestamptz, integer,
                                           text, integer, text, text) is
    'Private. Creates (and with p_queue enqueues) a workflow; idempotent on id and key.';

-- create_workflow(name, input, id, idempotency_key) -> (workflow_id, created, status)
-- Stores a PENDING workflow for the caller to run, and returns its id: a time-ordered UUID made
-- here unless p_id is given. Workers never claim it (see start_workflow).
-- Idempotent: if p_id or p_idempotency_key already names a workflow with the same name and input,
-- that workflow is returned with created = false; with a different name or input, PQ006. Safe under
-- races: INSERT ... ON CONFLICT DO NOTHING waits for a concurrent insert of the same key to commit,
-- then the existing row is read. Locks: the new row only.
-- Errors: PQ008 (a name that is NULL, blank or over 255 characters; a key that is blank or over
-- 255 characters), PQ007 (input too large), PQ013 (input nested over 256 levels), PQ006.
create function pgqrs.create_workflow(
    p_name            text,
    p_input           jsonb default null,
    p_id              uuid default null,
    p_idempotency_key text default null
)
returns table (workflow_id uuid, created boolean, status text)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return query select * from pgqrs._create_workflow(
        p_name, p_input, p_id, p_idempotency_key, false, null::timestamptz, null::integer,
        null::text, null::integer, null::text, null::text);
end
$$;
comment on function pgqrs.create_workflow(text, jsonb, uuid, text) is
    'Stores a PENDING workflow and returns its id. Idempotent on p_id and p_idempotency_key.';

-- start_workflow(name, input, id, idempotency_key, run_at, max_recoveries)
--   -> (workflow_id, created, status)
-- Like create_workflow, but enqueues the workflow for workers: they claim it from p_run_at (now by
-- default), and NOTIFY pgqrs_work (payload: the name) wakes idle workers at commit. Idempotent on
-- p_id and p_idempotency_key as create_workflow is; an existing PENDING workflow made by
-- create_workflow is enqueued. p_max_recoveries (default 5) caps how often the workflow may be
-- taken over from a worker that died before it is moved to DEAD.
-- Locks: the new row. Errors: PQ006, PQ007, PQ008 (name and key as in create_workflow; p_run_at
-- not in [1970, 9999); p_max_recoveries not in [0, 1000]), PQ013.
create function pgqrs.start_workflow(
    p_name            text,
    p_input           jsonb default null,
    p_id              uuid default null,
    p_idempotency_key text default null,
    p_run_at          timestamptz default null,
    p_max_recoveries  integer default null
)
returns table (workflow_id uuid, created boolean, status text)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return query select * from pgqrs._create_workflow(
        p_name, p_input, p_id, p_idempotency_key, true, p_run_at, p_max_recoveries,
        null::text, null::integer, null::text, null::text);
end
$$;
comment on function pgqrs.start_workflow(text, jsonb, uuid, text, timestamptz, integer) is
    'Stores a workflow and enqueues it for workers (NOTIFY pgqrs_work). Idempotent on id and key.';

-- _workflow_options(options, now) -> one row of parsed, checked options
-- The options of submit_workflow (and start_workflows) as typed values: every check of their
-- bounds in one place (see submit_workflow's contract). Raises PQ008 for an options value that is
-- not a JSON object, an unknown key, a value of the wrong type, or one out of its bounds.
create function pgqrs._workflow_options(
    p_options           jsonb,
    p_now               timestamptz,
    out id              uuid,
    out idempotency_key text,
    out queue           boolean,
    out queue_name      text,
    out priority        integer,
    out concurrency_key text,
    out debounce_key    text,
    out run_at          timestamptz,
    out max_recoveries  integer,
    out deadline        timestamptz,
    out max_attempts    integer,
    out backoff         double precision,
    out max_backoff     double precision,
    out parent_id       uuid,
    out traceparent     text
)
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_options  jsonb := coalesce(p_options, '{}'::jsonb);
    v_now      timestamptz := p_now;
    v_unknown  text;
    v_queue    boolean;
    v_queue_name text;
    v_priority integer;
    v_debounce double precision;
    v_deadline timestamptz;
    v_attempts integer;
    v_backoff  double precision;
    v_max      double precision;
    v_parent   uuid;
    v_id       uuid;
    v_run_at   timestamptz;
    v_recoveries integer;
begin
    if pg_catalog.jsonb_typeof(v_options) <> 'object' then
        raise exception 'pgqrs: options must be a JSON object' using errcode = 'PQ008';
    end if;
    select k into v_unknown
      from pg_catalog.jsonb_object_keys(v_options) k
     where k not in ('id', 'idempotency_key', 'queue', 'run_at', 'max_recoveries', 'deadline',
                     'timeout_seconds', 'max_attempts', 'retry_backoff_seconds',
                     'retry_max_backoff_seconds', 'parent_id', 'priority', 'concurrency_key',
                     'debounce_key', 'debounce_seconds', 'traceparent')
     limit 1;
    if found then
        raise exception 'pgqrs: unknown workflow option %', v_unknown using errcode = 'PQ008';
    end if;
    begin
        if pg_catalog.jsonb_typeof(v_options -> 'queue') = 'string' then
            v_queue := true;
            v_queue_name := v_options ->> 'queue';
        else
            v_queue := coalesce((v_options ->> 'queue')::boolean, true);
        end if;
        v_priority := (v_options ->> 'priority')::integer;
        v_debounce := (v_options ->> 'debounce_seconds')::float8;
        v_deadline := (v_options ->> 'deadline')::timestamptz;
        if v_options ? 'timeout_seconds' then
            if not ((v_options ->> 'timeout_seconds')::float8 > 0
                    and (v_options ->> 'timeout_seconds')::float8 <= 315360000) then
                raise exception using errcode = '22023';
            end if;
            v_deadline := least(v_deadline, v_now
                + (v_options ->> 'timeout_seconds')::float8 * interval '1 second');
        end if;
        v_attempts := coalesce((v_options ->> 'max_attempts')::integer, 1);
        v_backoff := coalesce((v_options ->> 'retry_backoff_seconds')::float8, 1);
        v_max := coalesce((v_options ->> 'retry_max_backoff_seconds')::float8,
                          greatest(3600, v_backoff));
        v_parent := (v_options ->> 'parent_id')::uuid;
        v_id := (v_options ->> 'id')::uuid;
        v_run_at := (v_options ->> 'run_at')::timestamptz;
        v_recoveries := (v_options ->> 'max_recoveries')::integer;
        traceparent := v_options ->> 'traceparent';
    exception
        when invalid_text_representation or invalid_datetime_format or datetime_field_overflow
             or numeric_value_out_of_range or invalid_parameter_value then
            raise exception 'pgqrs: invalid workflow options %: %', v_options::text, sqlerrm
                using errcode = 'PQ008';
    end;
    if v_queue_name is not null then
        perform pgqrs._check_queue_name(v_queue_name);
    end if;
    if v_priority is not null and not (v_priority between -1000 and 1000) then
        raise exception 'pgqrs: priority must be between -1000 and 1000, got %', v_priority
            using errcode = 'PQ008';
    end if;
    if v_options ? 'concurrency_key' then
        perform pgqrs._check_text('concurrency key', v_options ->> 'concurrency_key', 255);
    end if;
    if (v_options ->> 'debounce_key') is not null or v_debounce is not null then
        perform pgqrs._check_text('debounce key', v_options ->> 'debounce_key', 255);
        if v_debounce is null or not (v_debounce > 0 and v_debounce <= 2678400) then
            raise exception 'pgqrs: debounce seconds must be in (0, 2678400], got %',
                coalesce(v_debounce::text, 'NULL')
                using errcode = 'PQ008';
        end if;
        if not v_queue then
            raise exception 'pgqrs: only a queued workflow can be debounced'
                using errcode = 'PQ008';
        end if;
        v_run_at := greatest(v_run_at, v_now + v_debounce * interval '1 second');
    end if;
    if (v_priority is not null or v_options ? 'concurrency_key') and not v_queue then
        raise exception 'pgqrs: priority and concurrency_key are for queued workflows'
            using errcode = 'PQ008';
    end if;
    perform pgqrs._check_time('deadline', v_deadline);
    if v_deadline <= v_now then
        raise exception 'pgqrs: deadline % has passed already', v_deadline
            using errcode = 'PQ008';
    end if;
    perform pgqrs._check_policy(v_attempts, v_backoff, v_max);
    if traceparent !~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' then
        raise exception 'pgqrs: traceparent must be a W3C traceparent '
                        '(00-<32 hex>-<16 hex>-<2 hex>), got %', pg_catalog.left(traceparent, 100)
            using errcode = 'PQ008';
    end if;
    id := v_id;
    idempotency_key := v_options ->> 'idempotency_key';
    queue := v_queue;
    queue_name := v_queue_name;
    priority := v_priority;
    concurrency_key := v_options ->> 'concurrency_key';
    debounce_key := v_options ->> 'debounce_key';
    run_at := v_run_at;
    max_recoveries := v_recoveries;
    deadline := v_deadline;
    max_attempts := v_attempts;
    backoff := v_backoff;
    max_backoff := v_max;
    parent_id := v_parent;
end
$$;
comment on function pgqrs._workflow_options(jsonb, timestamptz) is
    'Private. The options of submit_workflow, parsed and checked (PQ008).';

-- submit_workflow(name, input, options) -> (workflow_id, created, status)
-- create_workflow and start_workflow in one call with every option, so that a workflow is never
-- visible to a worker before its policies are set. p_options is a JSON object; every key is
-- optional and an unknown key raises PQ008:
--   id (uuid), idempotency_key (text)      as in create_workflow (idempotent on either)
--   queue (boolean or text, default true)  true: enqueue for workers (start_workflow) in the
--                                          default queue; a queue name: enqueue in that queue
--                                          (its limits: set_queue); false: the caller runs it
--                                          (create_workflow)
--   priority (integer, -1000..1000, 0)     within its queue, higher first
--   concurrency_key (text)                 limited and served round-robin with its key
--   debounce_key (text), debounce_seconds  a start while one of this name and key waits
--     (number, (0, 2678400])               postpones that one debounce_seconds from now, with
--                                          the new input (created = false)
--   run_at (timestamptz)                   with queue: not claimed before then
--   max_recoveries (integer)               as in start_workflow (default 5)
--   deadline (timestamptz)                 cancel the workflow if it is not finished by then
--   timeout_seconds (number)               deadline = now + timeout_seconds
--   max_attempts (integer, default 1)      workflow retries: fail_workflow re-queues it
--   retry_backoff_seconds (default 1)      ... after _retry_delay(attempt, backoff, max)
--   retry_max_backoff_seconds (default 3600)
--   parent_id (uuid)                       the workflow starting this one as its child:
--                                          cancelling the parent cancels the child
--   traceparent (text)                     the W3C trace context of the code starting it,
--                                          '00-<32 hex>-<16 hex>-<2 hex>': trace_context()
--                                          hands it to the worker that runs it
-- An existing workflow (same id or key) is returned as it is, options unchanged. A parent that
-- was cancelled (or is past its deadline) starts no child: PQ011, checked under a lock on the
-- parent's row, so a cancel of the parent either comes first or cancels the new child too.
-- Locks: the parent row FOR SHARE, then the new row.
-- Errors: PQ001 (no such parent), PQ006, PQ007, PQ008 (an option of the wrong type or out of its
-- bounds: times in [1970, 9999), a deadline in the past, timeout_seconds in (0, ten years],
-- max_recoveries in [0, 1000], the retry policy as in begin_step, a traceparent not in that
-- form), PQ011, PQ013.
create function pgqrs.submit_workflow(
    p_name    text,
    p_input   jsonb,
    p_options jsonb default '{}'
)
returns table (workflow_id uuid, created boolean, status text)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now             timestamptz := pgqrs.now();
    v_opt             record;
    v_parent          uuid;
    v_parent_status   text;
    v_parent_deadline timestamptz;
    v_row             record;
begin
    v_opt := pgqrs._workflow_options(p_options, v_now);
    v_parent := v_opt.parent_id;
    if v_parent is not null then
        -- FOR SHARE: a cancel of the parent (which locks its row) either comes first, and this
        -- raises PQ011, or waits for this transaction and then cancels the new child with it.
        select w.status, w.deadline_at into v_parent_status, v_parent_deadline
          from pgqrs.workflows w where w.id = v_parent
           for share;
        if not found then
            raise exception 'pgqrs: parent workflow % does not exist', v_parent
                using errcode = 'PQ001';
        end if;
        if v_parent_status = 'CANCELLED' or v_parent_deadline <= v_now then
            raise exception 'pgqrs: parent workflow % was cancelled: it starts no children',
                v_parent
                using errcode = 'PQ011';
        end if;
    end if;
    select * into v_row
      from pgqrs._create_workflow(p_name, p_input, v_opt.id, v_opt.idempotency_key, v_opt.queue,
                                  v_opt.run_at, v_opt.max_recoveries, v_opt.queue_name,
                                  v_opt.priority, v_opt.concurrency_key, v_opt.debounce_key) c;
    if v_row.created and (v_opt.deadline is not null or v_opt.max_attempts <> 1
                          or v_opt.backoff <> 1 or v_opt.max_backoff <> 3600
                          or v_parent is not null or v_opt.traceparent is not null) then
        update pgqrs.workflows w
           set deadline_at = v_opt.deadline, max_attempts = v_opt.max_attempts,
               retry_backoff = v_opt.backoff, retry_max_backoff = v_opt.max_backoff,
               parent_id = v_parent, traceparent = v_opt.traceparent
         where w.id = v_row.workflow_id;
    end if;
    return query select v_row.workflow_id, v_row.created, v_row.status;
end
$$;
comment on function pgqrs.submit_workflow(text, jsonb, jsonb) is
    'Creates or enqueues a workflow with options (deadline, retries, schedule); idempotent.';

-- _finish_workflow(workflow_id, token, status, output, error): moves a RUNNING workflow held with
-- this token to its final status, ends the lease and announces it with NOTIFY pgqrs_done (payload:
-- the workflow id). A FAILED outcome while attempt < max_attempts is a workflow retry instead,
-- unless the error object has "retryable": false (the client's verdict on the exception):
-- the workflow stays RUNNING, keeps the error, loses its lease (token + 1) and is queued again
-- after _retry_delay, with its FAILED steps made RETRYING. A repeat of the same call (same token,
-- status and values) is a no-op; anything else raises through _raise_lease_error (past the
-- deadline: PQ011). Locks: the workflow row, then its FAILED step rows.
create function pgqrs._finish_workflow(
    p_workflow_id uuid,
    p_token       bigint,
    p_status      text,
    p_output      jsonb,
    p_error       jsonb
)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now    timestamptz := pgqrs.now();
    v_status text;
    v_token  bigint;
    v_output jsonb;
    v_error  jsonb;
    v_owner  text;
    v_tries  integer;
    v_max    integer;
begin
    if p_status = 'FAILED' then
        select w.attempt, w.max_attempts into v_tries, v_max from pgqrs.workflows w
         where w.id = p_workflow_id
           and w.lease_token = p_token
           and w.status = 'RUNNING'
           and (w.deadline_at is null or w.deadline_at > v_now)
           for no key update;
        if found and v_tries < v_max
           and (p_error ->> 'retryable') is distinct from 'false' then
            update pgqrs.workflows w
               set error = p_error,
                   lease_owner = null,
                   lease_expires_at = null,
                   lease_token = w.lease_token + 1,
                   queued = true,
                   available_at = v_now + pgqrs._retry_delay(
                       w.attempt, w.retry_backoff, w.retry_max_backoff) * interval '1 second',
                   attempt = w.attempt + 1,
                   updated_at = v_now
             where w.id = p_workflow_id;
            perform pgqrs._retry_failed_steps(p_workflow_id, v_now);
            perform pgqrs._free_slot(p_workflow_id);
            return;
        end if;
    end if;
    update pgqrs.workflows w
       set status = p_status,
           output = p_output,
           error = p_error,
           lease_owner = null,
           lease_expires_at = null,
           finished_at = v_now,
           updated_at = v_now
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > v_now);
    if found then
        perform pgqrs._notify('pgqrs_done', 'done:' || p_workflow_id::text);
        perform pgqrs._free_slot(p_workflow_id);
        -- Usually nobody awaits it: one probe of the (small) workflows_waiting index decides.
        -- A waiter cannot slip in between: it reads this row FOR SHARE before it suspends.
        if exists (select from pgqrs.workflows w
                    where w.waiting_for = 'workflow:' || p_workflow_id::text) then
            perform pgqrs._wake_waiters(array['workflow:' || p_workflow_id::text], null, v_now,
                                        false);
        end if;
        return;
    end if;
    select w.status, w.lease_token, w.output, w.error, w.lease_owner
      into v_status, v_token, v_output, v_error, v_owner
      from pgqrs.workflows w
     where w.id = p_workflow_id;
    if v_status = p_status and v_token = p_token
       and v_output is not distinct from p_output and v_error is not distinct from p_error then
        return;
    end if;
    -- A repeat of a fail_workflow that became a workflow retry: the token moved on by one.
    if p_status = 'FAILED' and v_status = 'RUNNING' and v_token = p_token + 1 and v_owner is null
       and v_error is not distinct from p_error then
        return;
    end if;
    perform pgqrs._raise_lease_error(p_workflow_id, p_token);
end
$$;
comment on function pgqrs._finish_workflow(uuid, bigint, text, jsonb, jsonb) is
    'Private. Moves a leased RUNNING workflow to SUCCESS or FAILED; idempotent for exact repeats.';

-- complete_workflow(workflow_id, token, output)
-- Marks the workflow SUCCESS with its output and ends the lease, in one durable commit. A repeat
-- with the same token and an equal output is a no-op. Locks: the workflow row.
-- Errors: PQ001, PQ003, PQ005, PQ007, PQ008 (NULL id or token), PQ011 (cancelled, or past the
-- deadline), PQ013.
create function pgqrs.complete_workflow(p_workflow_id uuid, p_token bigint, p_output jsonb)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_setting text;
begin
    v_setting := pg_catalog.set_config('synchronous_commit', 'on', true);
    if pg_catalog.pg_column_size(p_output) >= 2048
       or pg_catalog.pg_column_compression(p_output) is not null
       or pg_catalog.pg_column_size(p_output) > pgqrs._max_payload_bytes() then
        perform pgqrs._check_payload('workflow output', p_output);
    end if;
    perform pgqrs._finish_workflow(p_workflow_id, p_token, 'SUCCESS', p_output, null);
end
$$;
comment on function pgqrs.complete_workflow(uuid, bigint, jsonb) is
    'Marks the workflow SUCCESS with its output and ends the lease (durable commit).';

-- fail_workflow(workflow_id, token, error)
-- Marks the workflow FAILED with its error (normalized and truncated as in fail_step) and ends
-- the lease, in one durable commit. A workflow with attempts left (attempt < max_attempts, set
-- by submit_workflow) is retried instead, unless the error object says "retryable": false: it
-- stays RUNNING with the error recorded, its lease ends (token + 1) and it is queued again after
-- _retry_delay, its FAILED steps made RETRYING (see _finish_workflow). A repeat with the same
-- token and an equal error is a no-op either way. Locks: the workflow row, then its FAILED step
-- rows. Errors: PQ001, PQ003, PQ005, PQ008 (NULL id, token or error), PQ011 (cancelled, or past
-- the deadline).
create function pgqrs.fail_workflow(p_workflow_id uuid, p_token bigint, p_error jsonb)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_error jsonb := pgqrs._error_object(p_error);
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._finish_workflow(p_workflow_id, p_token, 'FAILED', null, v_error);
end
$$;
comment on function pgqrs.fail_workflow(uuid, bigint, jsonb) is
    'Marks the workflow FAILED with its error and ends the lease (durable commit).';
