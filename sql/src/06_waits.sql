-- Waiting without holding anything: the wait-step mechanism, durable sleep, messages and
-- events.

-- _wait_step(workflow_id, step_key, token, position, until) -> the step row
-- Starts or finds the wait step p_step_key of the caller's run: locks the workflow row (the
-- token must be current, the workflow RUNNING and within its deadline, else _raise_lease_error)
-- and returns the step row, creating it WAITING with timeout_at = p_until when it is new. The
-- replay guard applies as in begin_step; a key recorded as another kind of step raises PQ005.
-- Durable commit. Locks: the workflow row, then the step row.
create function pgqrs._wait_step(
    p_workflow_id uuid,
    p_step_key    text,
    p_token       bigint,
    p_position    integer,
    p_until       timestamptz
)
returns pgqrs.steps
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now   timestamptz := pgqrs.now();
    v_owner text;
    v_step  pgqrs.steps;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_step_key(p_step_key);
    if p_position is null or p_position < 1 then
        raise exception 'pgqrs: step position must be 1 or more, got %',
            coalesce(p_position::text, 'NULL')
            using errcode = 'PQ008';
    end if;
    select w.lease_owner into v_owner
      from pgqrs.workflows w
     where w.id = p_workflow_id
       and w.lease_token = p_token
       and w.status = 'RUNNING'
       and (w.deadline_at is null or w.deadline_at > v_now)
       for no key update;
    if not found then
        perform pgqrs._raise_lease_error(p_workflow_id, p_token);
    end if;

    insert into pgqrs.steps as s (workflow_id, step_key, status, attempt, lease_token,
                                  started_at, owner, attempt_started_at, position, timeout_at,
                                  kind)
    values (p_workflow_id, p_step_key, 'WAITING', 1, p_token, v_now, v_owner, v_now,
            p_position, p_until, 'wait')
    on conflict do nothing
    returning * into v_step;
    if found then
        return v_step;
    end if;

    select * into v_step from pgqrs.steps s
     where s.workflow_id = p_workflow_id and s.step_key = p_step_key
       for update;
    perform pgqrs._check_position(p_workflow_id, p_step_key, p_position, v_step.position);
    if v_step.kind is distinct from 'wait' then
        raise exception 'pgqrs: step % of workflow % was recorded as an ordinary step, not a wait',
            p_step_key, p_workflow_id
            using errcode = 'PQ005';
    end if;
    if v_step.position is null then
        update pgqrs.steps s set position = p_position
         where s.workflow_id = p_workflow_id and s.step_key = p_step_key;
    end if;
    return v_step;
end
$$;
comment on function pgqrs._wait_step(uuid, text, bigint, integer, timestamptz) is
    'Private. Finds or starts a wait step of the lease holder, with the replay guard.';

-- _end_wait(workflow_id, step_key, output): records a wait step's outcome (SUCCESS with p_output)
-- and clears the workflow's waiting_for. The caller holds the workflow row lock.
create function pgqrs._end_wait(p_workflow_id uuid, p_step_key text, p_output jsonb)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now timestamptz := pgqrs.now();
begin
    update pgqrs.steps s
       set status = 'SUCCESS', output = p_output, finished_at = v_now
     where s.workflow_id = p_workflow_id and s.step_key = p_step_key;
    update pgqrs.workflows w
       set waiting_for = null, lease_expires_at = v_now + w.lease_timeout
     where w.id = p_workflow_id;
end
$$;
comment on function pgqrs._end_wait(uuid, text, jsonb) is
    'Private. Records the outcome of a wait step.';

-- _wait_more(workflow_id, token, until, waiting_for, inline_seconds) -> (status, remaining)
-- What a wait step answers when its event has not happened and its timeout (p_until; NULL:
-- none) has not passed: WAIT (keep the lease and look again in process) when it ends within
-- p_inline_seconds, else SUSPENDED: the lease is given up (token + 1), the workflow is queued,
-- available at p_until (NULL: only when woken) and waiting_for says what wakes it. The caller
-- holds the workflow row lock, so no wake-up can fall in between.
create function pgqrs._wait_more(
    p_workflow_id    uuid,
    p_until          timestamptz,
    p_waiting_for    text,
    p_inline_seconds double precision
)
returns table (status text, remaining double precision)
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now  timestamptz := pgqrs.now();
    v_left double precision;
begin
    v_left := extract(epoch from p_until - v_now)::float8;
    if v_left is not null and v_left <= coalesce(p_inline_seconds, 0) then
        update pgqrs.workflows w
           set lease_expires_at = v_now + w.lease_timeout
         where w.id = p_workflow_id;
        return query select 'WAIT'::text, v_left;
        return;
    end if;
    update pgqrs.workflows w
       set lease_owner = null,
           lease_expires_at = null,
           lease_token = w.lease_token + 1,
           queued = true,
           available_at = p_until,
           waiting_for = p_waiting_for,
           updated_at = v_now
     where w.id = p_workflow_id;
    perform pgqrs._free_slot(p_workflow_id);
    return query select 'SUSPENDED'::text, v_left;
end
$$;
comment on function pgqrs._wait_more(uuid, timestamptz, text, double precision) is
    'Private. Keeps waiting in process (WAIT) or suspends the workflow (SUSPENDED).';

-- _wake_waiters(waiting_for, workflow_id, now, defer): makes the suspended workflows that wait
-- for any of p_waiting_for available now and announces them (NOTIFY pgqrs_work). p_workflow_id
-- narrows it to one workflow (a message wakes only its addressee). A workflow still holding its
-- lease is left alone: its runner is looking already. With p_defer (the callers that must never
-- wait: cancels and claims), a waiter whose row another transaction has locked is not waited
-- for: its wake-up is recorded in pgqrs.deferred, which the next claim applies. Locks: the woken
-- rows (SKIP LOCKED with p_defer).
create function pgqrs._wake_waiters(
    p_waiting_for text[],
    p_workflow_id uuid,
    p_now         timestamptz,
    p_defer       boolean
)
returns void
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_id    uuid;
    v_name  text;
    v_woken uuid[] := '{}';
begin
    if not p_defer then
        for v_name in
            update pgqrs.workflows w
               set available_at = p_now, updated_at = p_now
             where w.waiting_for = any (p_waiting_for)
               and (p_workflow_id is null or w.id = p_workflow_id)
               and w.status = 'RUNNING'
               and w.lease_owner is null
            returning w.name
        loop
            perform pgqrs._notify('pgqrs_work', 'work:' || v_name);
        end loop;
        return;
    end if;
    for v_id, v_name in
        update pgqrs.workflows w
           set available_at = p_now, updated_at = p_now
         where w.id in (select f.id from pgqrs.workflows f
                         where f.waiting_for = any (p_waiting_for)
                           and (p_workflow_id is null or f.id = p_workflow_id)
                           and f.status = 'RUNNING'
                           and f.lease_owner is null
                           for no key update skip locked)
        returning w.id, w.name
    loop
        v_woken := v_woken || v_id;
        perform pgqrs._notify('pgqrs_work', 'work:' || v_name);
    end loop;
    -- The waiters another transaction holds: the next claim wakes them (a spurious wake-up is
    -- harmless: a wait step looks again and suspends again).
    insert into pgqrs.deferred (workflow_id, action, created_at)
    select w.id, 'wake', p_now
      from pgqrs.workflows w
     where w.waiting_for = any (p_waiting_for)
       and (p_workflow_id is null or w.id = p_workflow_id)
       and w.status = 'RUNNING'
       and w.lease_owner is null
       and w.id <> all (v_woken)
    on conflict do nothing;
    if found then
        perform pg_catalog.pg_notify('pgqrs_work', '*');
    end if;
end
$$;
comment on function pgqrs._wake_waiters(text[], uuid, timestamptz, boolean) is
    'Private. Makes the workflows suspended waiting for something available now (or defers it).';

-- sleep_step(workflow_id, step_key, token, position, seconds, until, inline_seconds)
--   -> (status, wake_at, remaining)
-- A durable sleep: a wait step whose wake time (now + p_seconds, or p_until) is recorded when it
-- is first called, so a replay or a restarted worker never sleeps again from scratch. status:
--   DONE       the wake time has passed (recorded: the step is SUCCESS with {"wake_at": ...})
--   WAIT       it passes within p_inline_seconds: sleep `remaining` seconds in process, call again
--   SUSPENDED  the lease is given up until the wake time; a worker resumes the workflow then
-- Exactly one of p_seconds and p_until. Locks: the workflow row, then the step row.
-- Errors: PQ001, PQ003, PQ005, PQ008 (NULL id or token; a step key that is blank, over 512
-- characters or starts with '#'; position < 1; neither or both of p_seconds and p_until;
-- p_seconds not in [0, 315360000]; p_until not in [1970, 9999); p_inline_seconds not in
-- [0, 3600]), PQ010, PQ011.
create function pgqrs.sleep_step(
    p_workflow_id    uuid,
    p_step_key       text,
    p_token          bigint,
    p_position       integer,
    p_seconds        double precision default null,
    p_until          timestamptz default null,
    p_inline_seconds double precision default 0
)
returns table (status text, wake_at timestamptz, remaining double precision)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now  timestamptz := pgqrs.now();
    v_wake timestamptz;
    v_step pgqrs.steps;
    v_more record;
begin
    if (p_seconds is null) = (p_until is null) then
        raise exception 'pgqrs: sleep needs exactly one of seconds and until' using errcode = 'PQ008';
    end if;
    perform pgqrs._check_wait_seconds('sleep seconds', p_seconds);
    perform pgqrs._check_time('sleep until', p_until);
    perform pgqrs._check_inline_seconds(p_inline_seconds);
    v_wake := coalesce(p_until, v_now + p_seconds * interval '1 second');
    v_step := pgqrs._wait_step(p_workflow_id, p_step_key, p_token, p_position, v_wake);
    v_wake := coalesce((v_step.output ->> 'wake_at')::timestamptz, v_step.timeout_at);
    if v_step.status = 'WAITING' and v_wake <= v_now then
        perform pgqrs._end_wait(p_workflow_id, p_step_key,
                                pg_catalog.jsonb_build_object('wake_at', v_wake));
    elsif v_step.status = 'WAITING' then
        select * into v_more from pgqrs._wait_more(p_workflow_id, v_wake, null, p_inline_seconds) m;
        return query select v_more.status, v_wake, v_more.remaining;
        return;
    end if;
    return query select 'DONE'::text, v_wake, 0::float8;
end
$$;
comment on function pgqrs.sleep_step(uuid, text, bigint, integer, double precision, timestamptz,
                                     double precision) is
    'A durable sleep recorded as a step: DONE, WAIT (in process) or SUSPENDED (until the wake time).';

-- send_message(workflow_id, topic, message, idempotency_key) -> (message_id, created)
-- Queues a message for the workflow under a topic, from anywhere (another workflow, a client, a
-- psql session). Messages of one workflow and topic are received in the order they were sent.
-- With p_idempotency_key, sending again returns the first message (created = false) and
-- queues nothing; the same key with another topic or message raises PQ006. A workflow
-- suspended in recv_message on this topic is woken (NOTIFY pgqrs_work), and one receiving in
-- process is told (NOTIFY pgqrs_message, tagged 'message:<id> <topic>'). Durable commit.
-- Locks: the workflow row (first: so a receiver cannot miss the wake-up), then the new row.
-- Errors: PQ001, PQ005 (the workflow is SUCCESS, FAILED or CANCELLED: nobody would receive
-- it), PQ006, PQ007, PQ008 (NULL id; a topic that is NULL, blank or over 255 characters; a key
-- that is blank or over 255 characters), PQ013.
create function pgqrs.send_message(
    p_workflow_id     uuid,
    p_topic           text,
    p_message         jsonb,
    p_idempotency_key text default null
)
returns table (message_id bigint, created boolean)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now    timestamptz := pgqrs.now();
    v_status text;
    v_id     bigint;
    v_old    pgqrs.messages;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_id('workflow id', p_workflow_id);
    perform pgqrs._check_text('topic', p_topic, 255);
    if p_idempotency_key is not null then
        perform pgqrs._check_text('idempotency key', p_idempotency_key, 255);
    end if;
    perform pgqrs._check_payload('message on topic ' || p_topic, p_message);
    select w.status into v_status
      from pgqrs.workflows w where w.id = p_workflow_id for no key update;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    if p_idempotency_key is not null then
        select * into v_old from pgqrs.messages m
         where m.workflow_id = p_workflow_id and m.idempotency_key = p_idempotency_key;
        if found then
            if v_old.topic <> p_topic or v_old.message is distinct from p_message then
                raise exception 'pgqrs: message % to workflow % was sent with another topic or '
                                'message', p_idempotency_key, p_workflow_id
                    using errcode = 'PQ006';
            end if;
            return query select v_old.id, false;
            return;
        end if;
    end if;
    if v_status in ('SUCCESS', 'FAILED', 'CANCELLED') then
        raise exception 'pgqrs: workflow % is %: nobody would receive the message',
            p_workflow_id, v_status
            using errcode = 'PQ005';
    end if;
    insert into pgqrs.messages (workflow_id, topic, message, idempotency_key, sent_at)
    values (p_workflow_id, p_topic, p_message, p_idempotency_key, v_now)
    returning id into v_id;
    perform pgqrs._wake_waiters(array['message:' || p_topic], p_workflow_id, v_now, false);
    -- A receiver waiting in process (it holds its lease, so nothing above wakes it) listens.
    perform pgqrs._notify('pgqrs_message', 'message:' || p_workflow_id::text || ' ' || p_topic);
    return query select v_id, true;
end
$$;
comment on function pgqrs.send_message(uuid, text, jsonb, text) is
    'Queues a message for a workflow under a topic (idempotent with a key) and wakes its receiver.';

-- recv_message(workflow_id, step_key, token, position, topic, timeout_seconds, inline_seconds)
--   -> (status, message, remaining)
-- Receives the next message on a topic as a wait step of the caller's run. The first call
-- records the step WAITING with its deadline (now + p_timeout_seconds; NULL: none). status:
--   RECEIVED   the oldest unconsumed message of the topic: it is consumed by this step, and the
--              step is SUCCESS with {"message": ...}
--   TIMEOUT    the deadline passed first: recorded as SUCCESS with {"timeout": true}, so a replay
--              returns TIMEOUT too, never a message that came later
--   WAIT       nothing yet, the deadline is within p_inline_seconds: poll in process
--   SUSPENDED  nothing yet: the lease is given up; a send_message on this topic, or the deadline,
--              makes the workflow available again
-- A replay of a finished receive returns its recorded outcome. Durable commit.
-- Locks: the workflow row, then the step row, then the message row.
-- Errors: PQ001, PQ003, PQ005, PQ008 (NULL id or token; a bad step key or position as in
-- sleep_step; a topic that is NULL, blank or over 255 characters; p_timeout_seconds not in
-- [0, 315360000]; p_inline_seconds not in [0, 3600]), PQ010, PQ011.
create function pgqrs.recv_message(
    p_workflow_id     uuid,
    p_step_key        text,
    p_token           bigint,
    p_position        integer,
    p_topic           text,
    p_timeout_seconds double precision default null,
    p_inline_seconds  double precision default 0
)
returns table (status text, message jsonb, remaining double precision)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now  timestamptz := pgqrs.now();
    v_step pgqrs.steps;
    v_msg  pgqrs.messages;
    v_more record;
begin
    perform pgqrs._check_text('topic', p_topic, 255);
    perform pgqrs._check_wait_seconds('receive timeout', p_timeout_seconds);
    perform pgqrs._check_inline_seconds(p_inline_seconds);
    v_step := pgqrs._wait_step(p_workflow_id, p_step_key, p_token, p_position,
                               v_now + p_timeout_seconds * interval '1 second');
    if v_step.status = 'SUCCESS' then
        if v_step.output ? 'timeout' then
            return query select 'TIMEOUT'::text, null::jsonb, 0::float8;
        else
            return query select 'RECEIVED'::text, v_step.output -> 'message', 0::float8;
        end if;
        return;
    end if;

    -- Past the deadline, only a message sent before it counts: the deadline passed first.
    select * into v_msg from pgqrs.messages m
     where m.workflow_id = p_workflow_id and m.topic = p_topic and m.consumed_by is null
       and (v_step.timeout_at is null or v_step.timeout_at > v_now
            or m.sent_at <= v_step.timeout_at)
     order by m.id
     limit 1
       for update;
    if found then
        update pgqrs.messages m set consumed_by = p_step_key, consumed_at = v_now
         where m.id = v_msg.id;
        perform pgqrs._end_wait(p_workflow_id, p_step_key,
                                pg_catalog.jsonb_build_object('message', v_msg.message));
        return query select 'RECEIVED'::text, v_msg.message, 0::float8;
        return;
    end if;
    if v_step.timeout_at <= v_now then
        perform pgqrs._end_wait(p_workflow_id, p_step_key, '{"timeout": true}'::jsonb);
        return query select 'TIMEOUT'::text, null::jsonb, 0::float8;
        return;
    end if;
    select * into v_more
      from pgqrs._wait_more(p_workflow_id, v_step.timeout_at, 'message:' || p_topic,
                            p_inline_seconds) m;
    return query select v_more.status, null::jsonb, v_more.remaining;
end
$$;
comment on function pgqrs.recv_message(uuid, text, bigint, integer, text, double precision,
                                       double precision) is
    'Receives the next message on a topic as a recorded wait step (a timeout is recorded too).';

-- set_event(workflow_id, step_key, token, position, key, value)
-- Publishes p_value under the event key p_key of the caller's workflow, as a step: the first
-- call records the step SUCCESS and sets the event; a replay changes nothing, so a re-run never
-- puts an older value back. NOTIFY pgqrs_event (payload: '<workflow id> <key>'). Durable commit.
-- Locks: the workflow row, then the step row, then the event row.
-- Errors: PQ001, PQ003, PQ005, PQ007, PQ008 (NULL id or token; a bad step key or position as in
-- sleep_step; an event key that is NULL, blank or over 255 characters), PQ010, PQ011, PQ013.
create function pgqrs.set_event(
    p_workflow_id uuid,
    p_step_key    text,
    p_token       bigint,
    p_position    integer,
    p_key         text,
    p_value       jsonb
)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now  timestamptz := pgqrs.now();
    v_step pgqrs.steps;
begin
    perform pgqrs._check_text('event key', p_key, 255);
    perform pgqrs._check_payload('event ' || p_key, p_value);
    v_step := pgqrs._wait_step(p_workflow_id, p_step_key, p_token, p_position, null);
    if v_step.status = 'SUCCESS' then
        return;
    end if;
    insert into pgqrs.events as e (workflow_id, key, value, set_at)
    values (p_workflow_id, p_key, p_value, v_now)
    on conflict (workflow_id, key) do update set value = excluded.value, set_at = excluded.set_at;
    perform pgqrs._end_wait(p_workflow_id, p_step_key,
                            pg_catalog.jsonb_build_object('key', p_key));
    perform pgqrs._notify('pgqrs_event', 'event:' || p_workflow_id::text || ' ' || p_key);
end
$$;
comment on function pgqrs.set_event(uuid, text, bigint, integer, text, jsonb) is
    'Publishes a value under an event key of the workflow, as a step (replays change nothing).';

-- get_event(workflow_id, key) -> (found, value, set_at)
-- The value a workflow last published under p_key; found = false while it has published none.
-- Waiting for it is the caller's: LISTEN pgqrs_event and call again on '<workflow id> <key>'.
-- Read-only; no locks. Errors: PQ001, PQ008 (NULL id; a key that is NULL, blank or over 255
-- characters).
create function pgqrs.get_event(p_workflow_id uuid, p_key text)
returns table (found boolean, value jsonb, set_at timestamptz)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pgqrs._check_id('workflow id', p_workflow_id);
    perform pgqrs._check_text('event key', p_key, 255);
    perform 1 from pgqrs.workflows w where w.id = p_workflow_id;
    if not found then
        perform pgqrs._raise_workflow_not_found(p_workflow_id);
    end if;
    return query
        select true, e.value, e.set_at from pgqrs.events e
         where e.workflow_id = p_workflow_id and e.key = p_key
        union all
        select false, null::jsonb, null::timestamptz
         where not exists (select 1 from pgqrs.events e
                            where e.workflow_id = p_workflow_id and e.key = p_key);
end
$$;
comment on function pgqrs.get_event(uuid, text) is
    'The value a workflow last published under an event key (found = false: none yet).';
