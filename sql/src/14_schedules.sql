-- Schedules: workflows started by cron expressions, decided here (docs/schedules.md).
--
-- A schedule (pgqrs.schedules) names a workflow, a five-field cron expression, an IANA time zone,
-- an input and start options. Its next tick (next_run_at) is stored. There is no scheduler
-- process: pgqrs.claim, which workers call all the time, looks for due schedules with one index
-- probe (schedules_due) and fires them (_fire_schedules), and next_claim_at wakes idle workers at
-- the earliest next tick. Firing a schedule locks its row (FOR UPDATE SKIP LOCKED: racing
-- workers never wait, and never fire it twice), starts one workflow per due tick through
-- submit_workflow with the idempotency key 'schedule:<name>:<tick in UTC, ISO 8601>', and moves
-- next_run_at past now, in one transaction: a firing that dies rolls back whole, and a repeated
-- one finds the tick's workflow by its key. So each tick starts exactly one workflow.
--
-- TICKS are local wall-clock times in the schedule's time zone, matched by the cron fields:
--   minute hour day-of-month month day-of-week, each a list of items: * (every value), a value, a
--   range a-b, a step */n, a-b/n or a/n (a, a+n, ... up to the field's end). Months JAN-DEC and
--   weekdays SUN-SAT may be named (any case); day-of-week 0 and 7 are Sunday. When both
--   day-of-month and day-of-week are restricted (neither starts with *), a day matches when
--   either matches; otherwise it must match both (as cron(8) does). @yearly (@annually),
--   @monthly, @weekly, @daily (@midnight) and @hourly stand for their five fields.
-- DAYLIGHT SAVING TIME: a tick whose local time does not exist (the clock jumps over it in the
--   spring) fires at the first instant after the gap, the moment the clock jumps; several ticks
--   in one gap collapse onto that instant and fire once. A local time that occurs twice (the
--   clock goes back in the autumn) fires once, at its first occurrence.
-- MISSED TICKS (no worker claimed while ticks passed): policy 'skip' (the default) fires the
--   latest of them only; 'catch_up' fires the latest catch_up_limit of them, oldest first. Either
--   way the schedule then goes on from now. A paused schedule fires nothing; resuming it goes on
--   from the next tick after now.
-- THE WORKFLOW'S INPUT for a tick is {"schedule": <name>, "scheduled_at": <tick, UTC ISO 8601
--   'YYYY-MM-DDTHH:MI:SSZ'>, "input": <the schedule's input>}: the same for every firing of one
--   tick. When it actually started is the workflow's created_at.

-- _cron_field(field, text, min, max, names, names_base) -> the field's values, sorted
-- Parses one cron field: a comma-separated list of *, n, a-b, */n, a-b/n, a/n, where a value
-- may be one of p_names (case-insensitive; names[i] stands for names_base + i - 1). Raises PQ008
-- naming the field for anything else: an empty item, an unknown name, a value outside
-- [min, max], a range whose start is after its end, a step outside [1, max - min + 1].
create function pgqrs._cron_field(
    p_field      text,
    p_text       text,
    p_min        integer,
    p_max        integer,
    p_names      text[],
    p_names_base integer
)
returns integer[]
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_item   text;
    v_parts  text[];
    v_bounds text[];
    v_lo     integer;
    v_hi     integer;
    v_step   integer;
    v_values integer[] := '{}';
    v_value  text;
    v_num    integer;
    v_i      integer;
begin
    foreach v_item in array pg_catalog.string_to_array(p_text, ',') loop
        v_parts := pg_catalog.regexp_match(v_item, '^([^/]+)(?:/([0-9]{1,4}))?$');
        if v_parts is null then
            raise exception 'pgqrs: cron % field "%": cannot read "%"', p_field, p_text, v_item
                using errcode = 'PQ008',
                      hint = 'Items are *, n, a-b, */n, a-b/n or a/n, separated by commas.';
        end if;
        v_step := coalesce(v_parts[2]::integer, 1);
        if v_step < 1 or v_step > p_max - p_min + 1 then
            raise exception 'pgqrs: cron % field "%": step % is not in [1, %]', p_field, p_text,
                v_step, p_max - p_min + 1
                using errcode = 'PQ008';
        end if;
        if v_parts[1] = '*' then
            v_lo := p_min;
            v_hi := p_max;
        else
            v_bounds := pg_catalog.string_to_array(v_parts[1], '-');
            if pg_catalog.cardinality(v_bounds) > 2 then
                raise exception 'pgqrs: cron % field "%": cannot read "%"', p_field, p_text, v_item
                    using errcode = 'PQ008';
            end if;
            for v_i in 1..pg_catalog.cardinality(v_bounds) loop
                v_value := pg_catalog.upper(v_bounds[v_i]);
                if v_value ~ '^[0-9]{1,4}$' then
                    v_num := v_value::integer;
                else
                    v_num := pg_catalog.array_position(p_names, v_value) + p_names_base - 1;
                    if v_num is null then
                        raise exception 'pgqrs: cron % field "%": "%" is not a value', p_field,
                            p_text, v_bounds[v_i]
                            using errcode = 'PQ008',
                                  hint = case when p_names is null then 'Use numbers.'
                                              else 'Use numbers or the names '
                                                   || pg_catalog.array_to_string(p_names, ', ')
                                                   || '.' end;
                    end if;
                end if;
                if v_num < p_min or v_num > p_max then
                    raise exception 'pgqrs: cron % field "%": % is not in [%, %]', p_field,
                        p_text, v_num, p_min, p_max
                        using errcode = 'PQ008';
                end if;
                if v_i = 1 then
                    v_lo := v_num;
                end if;
                v_hi := v_num;
            end loop;
            if pg_catalog.cardinality(v_bounds) = 1 and v_parts[2] is not null then
                v_hi := p_max;  -- a/n: from a to the end of the field
            end if;
            if v_lo > v_hi then
                raise exception 'pgqrs: cron % field "%": range %-% runs backwards', p_field,
                    p_text, v_lo, v_hi
                    using errcode = 'PQ008';
            end if;
        end if;
        v_values := v_values || array(select pg_catalog.generate_series(v_lo, v_hi, v_step));
    end loop;
    return array(select distinct v from pg_catalog.unnest(v_values) v order by v);
end
$$;
comment on function pgqrs._cron_field(text, text, integer, integer, text[], integer) is
    'Private. The sorted values of one cron field; PQ008 naming the field when it is invalid.';

-- _cron_parse(expr) -> (minutes, hours, doms, months, dows, either_day)
-- Parses a five-field cron expression (or a macro: @yearly, @annually, @monthly, @weekly,
-- @daily, @midnight, @hourly) into the sorted values of each field; day-of-week 7 becomes 0.
-- either_day is true when both day fields are restricted (neither starts with *): a day then
-- matches when either matches, otherwise when both do. Raises PQ008 for a NULL, blank or
-- oversized expression, a count of fields other than five, an invalid field (naming it), and day
-- fields that never match (day 31 in the months given, say).
create function pgqrs._cron_parse(
    p_expr         text,
    out minutes    integer[],
    out hours      integer[],
    out doms       integer[],
    out months     integer[],
    out dows       integer[],
    out either_day boolean
)
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_fields text[];
    v_expr   text;
begin
    perform pgqrs._check_text('cron expression', p_expr, 255);
    v_expr := pg_catalog.btrim(p_expr);
    if v_expr ~ '^@' then
        v_expr := case pg_catalog.lower(v_expr)
                      when '@yearly' then '0 0 1 1 *'
                      when '@annually' then '0 0 1 1 *'
                      when '@monthly' then '0 0 1 * *'
                      when '@weekly' then '0 0 * * 0'
                      when '@daily' then '0 0 * * *'
                      when '@midnight' then '0 0 * * *'
                      when '@hourly' then '0 * * * *'
                  end;
        if v_expr is null then
            raise exception 'pgqrs: cron expression "%": unknown macro', p_expr
                using errcode = 'PQ008',
                      hint = 'Macros: @yearly, @annually, @monthly, @weekly, @daily, @midnight, '
                             '@hourly.';
        end if;
    end if;
    v_fields := pg_catalog.regexp_split_to_array(v_expr, '\s+');
    if pg_catalog.cardinality(v_fields) <> 5 then
        raise exception 'pgqrs: cron expression "%" has % fields, not 5', p_expr,
            pg_catalog.cardinality(v_fields)
            using errcode = 'PQ008',
                  hint = 'Five fields: minute hour day-of-month month day-of-week.';
    end if;
    minutes := pgqrs._cron_field('minute', v_fields[1], 0, 59, null, 0);
    hours := pgqrs._cron_field('hour', v_fields[2], 0, 23, null, 0);
    doms := pgqrs._cron_field('day-of-month', v_fields[3], 1, 31, null, 0);
    months := pgqrs._cron_field('month', v_fields[4], 1, 12,
        array['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
        1);
    dows := pgqrs._cron_field('day-of-week', v_fields[5], 0, 7,
        array['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], 0);
    dows := array(select distinct d % 7 from pg_catalog.unnest(dows) d order by 1);
    either_day := v_fields[3] !~ '^\*' and v_fields[5] !~ '^\*';
    -- Both day fields must hold: some day of the month field must exist in some month given
    -- (every such day falls on every weekday in some year).
    if not either_day
       and not exists (select from pg_catalog.unnest(doms) d, pg_catalog.unnest(months) m
                        where d <= case when m = 2 then 29 when m in (4, 6, 9, 11) then 30
                                        else 31 end) then
        raise exception 'pgqrs: cron expression "%": day-of-month field "%" never occurs in month '
            'field "%"', p_expr, v_fields[3], v_fields[4]
            using errcode = 'PQ008';
    end if;
end
$$;
comment on function pgqrs._cron_parse(text) is
    'Private. A five-field cron expression parsed into the sorted values of each field (PQ008).';

-- _cron_time(minutes, hours, from, backward) -> minute of the day, or NULL
-- The first time of day (hour * 60 + minute) at or after p_from (a minute of the day) that the
-- fields allow, or with p_backward the last one at or before it; NULL when there is none that
-- day.
create function pgqrs._cron_time(
    p_minutes  integer[],
    p_hours    integer[],
    p_from     integer,
    p_backward boolean
)
returns integer
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_hour   integer := p_from / 60;
    v_minute integer := p_from % 60;
    v_h      integer;
    v_m      integer;
begin
    if not p_backward then
        foreach v_h in array p_hours loop
            continue when v_h < v_hour;
            if v_h > v_hour then
                return v_h * 60 + p_minutes[1];
            end if;
            foreach v_m in array p_minutes loop
                if v_m >= v_minute then
                    return v_h * 60 + v_m;
                end if;
            end loop;
        end loop;
        return null;
    end if;
    for v_h in select h from pg_catalog.unnest(p_hours) h where h <= v_hour order by h desc loop
        if v_h < v_hour then
            return v_h * 60 + p_minutes[pg_catalog.cardinality(p_minutes)];
        end if;
        for v_m in select m from pg_catalog.unnest(p_minutes) m where m <= v_minute
                    order by m desc limit 1 loop
            return v_h * 60 + v_m;
        end loop;
    end loop;
    return null;
end
$$;
comment on function pgqrs._cron_time(integer[], integer[], integer, boolean) is
    'Private. The first (or last) time of day at or after (before) a minute that cron allows.';

-- _cron_local(minutes, hours, doms, months, dows, either_day, from, backward) -> local time
-- The first local wall-clock minute at or after p_from (or, with p_backward, the last one at or
-- before it) that the parsed cron fields match, in [1970, 9999); NULL when there is none. It
-- walks months (skipping those the month field leaves out), then days (jumping from one allowed
-- day of the month to the next when both day fields must match; at most a week otherwise), then
-- hours and minutes: a yearly schedule or Feb 29 takes a few steps per year, never a scan.
create function pgqrs._cron_local(
    p_minutes    integer[],
    p_hours      integer[],
    p_doms       integer[],
    p_months     integer[],
    p_dows       integer[],
    p_either_day boolean,
    p_from       timestamp,
    p_backward   boolean
)
returns timestamp
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_day    date := p_from::date;
    v_clock  integer := extract(hour from p_from)::integer * 60
                        + extract(minute from p_from)::integer;
    v_year   integer;
    v_month  integer;
    v_dom    integer;
    v_last   integer;
    v_start  integer;
    v_time   integer;
    v_found  boolean;
    v_dir    integer := case when p_backward then -1 else 1 end;
begin
    loop
        if v_day >= '9999-01-01'::date or v_day < '1970-01-01'::date then
            return null;
        end if;
        v_year := extract(year from v_day)::integer;
        v_month := extract(month from v_day)::integer;
        if not (v_month = any (p_months)) then
            -- The next (previous) allowed month: its first (last) day.
            if not p_backward then
                v_month := (select min(m) from pg_catalog.unnest(p_months) m where m > v_month);
                if v_month is null then
                    v_year := v_year + 1;
                    v_month := p_months[1];
                end if;
                v_day := pg_catalog.make_date(v_year, v_month, 1);
                v_clock := 0;
            else
                v_month := (select max(m) from pg_catalog.unnest(p_months) m where m < v_month);
                if v_month is null then
                    v_year := v_year - 1;
                    v_month := p_months[pg_catalog.cardinality(p_months)];
                end if;
                v_day := (pg_catalog.make_date(v_year, v_month, 1) + interval '1 month')::date - 1;
                v_clock := 1439;
            end if;
            continue;
        end if;
        v_last := extract(day from (pg_catalog.date_trunc('month', v_day) + interval '1 month'
                                    - interval '1 day'))::integer;
        v_start := extract(day from v_day)::integer;  -- the day v_clock applies to
        v_dom := v_start;
        -- The first (last) matching day of this month from v_dom on (back).
        loop
            if not p_either_day then
                -- Both must match: go from one allowed day of the month to the next.
                if not p_backward then
                    v_dom := (select min(d) from pg_catalog.unnest(p_doms) d where d >= v_dom);
                else
                    v_dom := (select max(d) from pg_catalog.unnest(p_doms) d where d <= v_dom);
                end if;
                exit when v_dom is null or v_dom > v_last;
                v_found := extract(dow from pg_catalog.make_date(v_year, v_month, v_dom))::integer
                           = any (p_dows);
            else
                exit when v_dom < 1 or v_dom > v_last;
                v_found := v_dom = any (p_doms)
                    or extract(dow from pg_catalog.make_date(v_year, v_month, v_dom))::integer
                       = any (p_dows);
            end if;
            if v_found then
                v_time := pgqrs._cron_time(
                    p_minutes, p_hours,
                    case when v_dom = v_start then v_clock
                         when p_backward then 1439
                         else 0 end,
                    p_backward);
                if v_time is not null then
                    return pg_catalog.make_date(v_year, v_month, v_dom)
                           + v_time * interval '1 minute';
                end if;
            end if;
            v_dom := v_dom + v_dir;
        end loop;
        -- Nothing left this month: the next month's first day (the previous month's last).
        if not p_backward then
            v_day := (pg_catalog.make_date(v_year, v_month, 1) + interval '1 month')::date;
            v_clock := 0;
        else
            v_day := pg_catalog.make_date(v_year, v_month, 1) - 1;
            v_clock := 1439;
        end if;
    end loop;
end
$$;
comment on function pgqrs._cron_local(integer[], integer[], integer[], integer[], integer[],
                                      boolean, timestamp, boolean) is
    'Private. The first (last) local minute at or after (before) a time that cron fields match.';

-- _cron_instant(local, timezone) -> timestamptz
-- The instant at which a tick at local wall-clock time p_local in zone p_timezone fires. A local
-- time that does not exist (a spring-forward gap) fires at the first instant after the gap: the
-- earliest instant whose local time is later than p_local (PostgreSQL itself would shift it by
-- the gap's length). A local time that occurs twice (a fall-back) fires at its first occurrence
-- (PostgreSQL picks the second): when the offset in effect a day earlier maps p_local to an
-- earlier instant that still reads p_local, that one.
create function pgqrs._cron_instant(p_local timestamp, p_timezone text)
returns timestamptz
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_at     timestamptz := p_local at time zone p_timezone;
    v_lo     bigint;
    v_hi     bigint;
    v_mid    bigint;
    v_before timestamptz;
    v_first  timestamptz;
begin
    if (v_at at time zone p_timezone) <> p_local then
        -- In a gap. Bisect whole seconds (zone transitions fall on whole seconds) for the first
        -- instant that reads p_local or later; a gap is shorter than a day.
        v_lo := pg_catalog.floor(extract(epoch from v_at))::bigint - 86400;
        v_hi := pg_catalog.floor(extract(epoch from v_at))::bigint + 86400;
        while v_hi - v_lo > 1 loop
            v_mid := (v_lo + v_hi) / 2;
            if (pg_catalog.to_timestamp(v_mid) at time zone p_timezone) >= p_local then
                v_hi := v_mid;
            else
                v_lo := v_mid;
            end if;
        end loop;
        return pg_catalog.to_timestamp(v_hi);
    end if;
    v_before := v_at - interval '1 day';
    v_first := (p_local - ((v_before at time zone p_timezone) - (v_before at time zone 'UTC')))
               at time zone 'UTC';
    if v_first < v_at and (v_first at time zone p_timezone) = p_local then
        return v_first;
    end if;
    return v_at;
end
$$;
comment on function pgqrs._cron_instant(timestamp, text) is
    'Private. When a local tick fires: after a DST gap, or at the first of two occurrences.';

-- _cron_tick(minutes, hours, doms, months, dows, either_day, timezone, at, backward)
--   -> timestamptz
-- The first tick instant strictly after p_at, or with p_backward the last one at or before p_at;
-- NULL when there is none in [1970, 9999). Ticks are the local times _cron_local matches, fired
-- at _cron_instant; as instants they never go backwards when local time moves forwards, so the
-- search walks local times from a bound and stops at the first that passes p_at (or, backwards,
-- that is not after it). Only around a fall-back does it look at more than one match.
create function pgqrs._cron_tick(
    p_minutes    integer[],
    p_hours      integer[],
    p_doms       integer[],
    p_months     integer[],
    p_dows       integer[],
    p_either_day boolean,
    p_timezone   text,
    p_at         timestamptz,
    p_backward   boolean
)
returns timestamptz
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_local   timestamp;
    v_instant timestamptz;
    v_before  timestamptz := p_at - interval '1 day';
begin
    if not p_backward then
        v_local := pg_catalog.date_trunc('minute', p_at at time zone p_timezone)
                   + interval '1 minute';
    else
        -- After a fall-back, local times of the first pass (fired at their first occurrence)
        -- can be later than the wall clock now reads: start from the later of the two readings.
        v_local := pg_catalog.date_trunc('minute', greatest(
            p_at at time zone p_timezone,
            (p_at at time zone 'UTC')
                + ((v_before at time zone p_timezone) - (v_before at time zone 'UTC'))));
    end if;
    for v_step in 1..100000 loop
        v_local := pgqrs._cron_local(p_minutes, p_hours, p_doms, p_months, p_dows, p_either_day,
                                     v_local, p_backward);
        if v_local is null then
            return null;
        end if;
        v_instant := pgqrs._cron_instant(v_local, p_timezone);
        if v_instant < '1970-01-01 00:00:00+00'::timestamptz
           or v_instant >= '9999-01-01 00:00:00+00'::timestamptz then
            return null;
        end if;
        if (not p_backward and v_instant > p_at) or (p_backward and v_instant <= p_at) then
            return v_instant;
        end if;
        v_local := v_local + case when p_backward then interval '-1 minute'
                                  else interval '1 minute' end;
    end loop;
    return null;
end
$$;
comment on function pgqrs._cron_tick(integer[], integer[], integer[], integer[], integer[],
                                     boolean, text, timestamptz, boolean) is
    'Private. The next tick instant after a time (or the last one at or before it).';

-- _cron_next(expr, timezone, after) -> timestamptz
-- The first tick of cron expression p_expr in zone p_timezone strictly after p_after (NULL when
-- there is none before 9999). Raises PQ008 for an invalid expression (naming the field), a NULL
-- time, or a time zone PostgreSQL does not know. The zone is not looked up in
-- pg_timezone_names (tens of milliseconds): set_schedule does that (_check_timezone) before it
-- stores one.
create function pgqrs._cron_next(p_expr text, p_timezone text, p_after timestamptz)
returns timestamptz
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_cron record;
begin
    v_cron := pgqrs._cron_parse(p_expr);
    perform pgqrs._check_text('time zone', p_timezone, 255);
    if p_after is null then
        raise exception 'pgqrs: the time to look after must not be null' using errcode = 'PQ008';
    end if;
    return pgqrs._cron_tick(v_cron.minutes, v_cron.hours, v_cron.doms, v_cron.months,
                            v_cron.dows, v_cron.either_day, p_timezone, p_after, false);
exception when invalid_parameter_value then
    raise exception 'pgqrs: unknown time zone "%"', p_timezone
        using errcode = 'PQ008',
              hint = 'Use an IANA time zone name, such as Europe/Paris or UTC.';
end
$$;
comment on function pgqrs._cron_next(text, text, timestamptz) is
    'Private. The first tick of a cron expression in a time zone after a time (PQ008).';

-- _check_timezone(timezone) -> the zone's name as pg_timezone_names spells it
-- Raises PQ008 unless p_timezone names a time zone of pg_timezone_names (IANA names such as
-- 'Europe/Paris' or 'UTC', any case; not abbreviations or POSIX offsets). 'UTC' is answered
-- without reading the zone list (a read costs tens of milliseconds).
create function pgqrs._check_timezone(p_timezone text)
returns text
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_name text;
begin
    perform pgqrs._check_text('time zone', p_timezone, 255);
    if p_timezone = 'UTC' then
        return 'UTC';
    end if;
    select z.name into v_name from pg_catalog.pg_timezone_names z where z.name = p_timezone;
    if v_name is null then
        select min(z.name) into v_name
          from pg_catalog.pg_timezone_names z
         where pg_catalog.lower(z.name) = pg_catalog.lower(p_timezone);
    end if;
    if v_name is null then
        raise exception 'pgqrs: unknown time zone "%"', p_timezone
            using errcode = 'PQ008',
                  hint = 'Use an IANA time zone name, such as Europe/Paris or UTC '
                         '(pg_timezone_names lists them).';
    end if;
    return v_name;
end
$$;
comment on function pgqrs._check_timezone(text) is
    'Private. The canonical name of an IANA time zone of pg_timezone_names (PQ008 otherwise).';

-- _schedule_tick_text(tick) -> 'YYYY-MM-DDTHH:MI:SSZ'
-- A tick as UTC ISO 8601, as it appears in the tick's idempotency key and workflow input.
create function pgqrs._schedule_tick_text(p_tick timestamptz)
returns text
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$
    select pg_catalog.to_char(p_tick at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
comment on function pgqrs._schedule_tick_text(timestamptz) is
    'Private. A tick time as UTC ISO 8601 (YYYY-MM-DDTHH:MI:SSZ).';

-- _schedule_options(options, now) -> (start options, missed, catch_up_limit, paused)
-- Splits set_schedule's p_options into the schedule's own settings and the options every tick's
-- workflow is started with (see set_schedule), and checks both: PQ008 for an options value that
-- is not a JSON object, an unknown key, a start option schedules do not take (id,
-- idempotency_key, run_at, deadline, parent_id, debounce_*: each tick has its own), queue false,
-- missed not 'skip' or 'catch_up', catch_up_limit not in [1, 1000] or without catch_up, paused
-- not a boolean, and the start options as submit_workflow checks them.
create function pgqrs._schedule_options(
    p_options          jsonb,
    p_now              timestamptz,
    out start_options  jsonb,
    out missed         text,
    out catch_up_limit integer,
    out paused         boolean
)
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_options jsonb := coalesce(p_options, '{}'::jsonb);
    v_key     text;
begin
    if pg_catalog.jsonb_typeof(v_options) <> 'object' then
        raise exception 'pgqrs: schedule options must be a JSON object' using errcode = 'PQ008';
    end if;
    select k into v_key
      from pg_catalog.jsonb_object_keys(v_options) k
     where k not in ('missed', 'catch_up_limit', 'paused', 'queue', 'priority', 'concurrency_key',
                     'max_recoveries', 'timeout_seconds', 'max_attempts', 'retry_backoff_seconds',
                     'retry_max_backoff_seconds')
     limit 1;
    if found then
        raise exception 'pgqrs: unknown schedule option %', v_key
            using errcode = 'PQ008',
                  hint = 'Schedule options: missed, catch_up_limit, paused, queue, priority, '
                         'concurrency_key, max_recoveries, timeout_seconds, max_attempts, '
                         'retry_backoff_seconds, retry_max_backoff_seconds.';
    end if;
    missed := coalesce(v_options ->> 'missed', 'skip');
    if missed not in ('skip', 'catch_up') then
        raise exception 'pgqrs: schedule option missed must be ''skip'' or ''catch_up'', got %',
            v_options -> 'missed'
            using errcode = 'PQ008';
    end if;
    if v_options ? 'catch_up_limit' then
        if missed <> 'catch_up' then
            raise exception 'pgqrs: schedule option catch_up_limit needs missed = ''catch_up'''
                using errcode = 'PQ008';
        end if;
        if pg_catalog.jsonb_typeof(v_options -> 'catch_up_limit') <> 'number'
           or (v_options ->> 'catch_up_limit') !~ '^[0-9]{1,4}$'
           or not ((v_options ->> 'catch_up_limit')::integer between 1 and 1000) then
            raise exception 'pgqrs: schedule option catch_up_limit must be an integer in '
                '[1, 1000], got %', v_options -> 'catch_up_limit'
                using errcode = 'PQ008';
        end if;
    end if;
    catch_up_limit := case when missed = 'catch_up'
                           then coalesce((v_options ->> 'catch_up_limit')::integer, 10) end;
    if v_options ? 'paused' then
        if pg_catalog.jsonb_typeof(v_options -> 'paused') <> 'boolean' then
            raise exception 'pgqrs: schedule option paused must be true or false, got %',
                v_options -> 'paused'
                using errcode = 'PQ008';
        end if;
        paused := (v_options ->> 'paused')::boolean;
    end if;
    start_options := v_options - 'missed' - 'catch_up_limit' - 'paused';
    if (start_options -> 'queue') = 'false'::jsonb then
        raise exception 'pgqrs: a schedule''s workflows are queued: queue must be true or a '
            'queue name'
            using errcode = 'PQ008';
    end if;
    perform pgqrs._workflow_options(start_options, p_now);
end
$$;
comment on function pgqrs._schedule_options(jsonb, timestamptz) is
    'Private. set_schedule''s options, split into the schedule''s and the start options (PQ008).';

-- _schedule_rows(name) -> the rows of list_schedules, all of them when p_name is NULL
-- Each schedule with its last fired tick's workflow (found by the tick's idempotency key).
create function pgqrs._schedule_rows(p_name text)
returns table (
    name             text,
    workflow         text,
    cron             text,
    timezone         text,
    input            jsonb,
    options          jsonb,
    paused           boolean,
    missed           text,
    catch_up_limit   integer,
    next_run_at      timestamptz,
    last_run_at      timestamptz,
    last_workflow_id uuid,
    last_status      text,
    last_error       text,
    created_at       timestamptz,
    updated_at       timestamptz
)
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
    select s.name, s.workflow, s.cron, s.timezone, s.input, s.options, s.paused, s.missed,
           s.catch_up_limit, s.next_run_at, s.last_run_at, w.id, w.status, s.last_error,
           s.created_at, s.updated_at
      from pgqrs.schedules s
      left join pgqrs.workflows w
        on w.idempotency_key = 'schedule:' || s.name || ':'
                               || pgqrs._schedule_tick_text(s.last_run_at)
     where p_name is null or s.name = p_name
     order by s.name
$$;
comment on function pgqrs._schedule_rows(text) is
    'Private. Schedules with their last fired tick''s workflow (one, or all for NULL).';

-- set_schedule(name, workflow, cron, timezone, input, options) -> the schedule, as
--   list_schedules shows it
-- Creates or replaces schedule p_name: workflow p_workflow is started at every tick of cron
-- expression p_cron (five fields, or a macro such as @daily) in time zone p_timezone (an IANA
-- name, default 'UTC'), with input {"schedule": p_name, "scheduled_at": <tick, UTC ISO 8601>,
-- "input": p_input}. p_options is a JSON object; every key is optional, an unknown key raises
-- PQ008:
--   missed ('skip' or 'catch_up', 'skip')   missed ticks: fire only the latest, or the latest
--                                            catch_up_limit of them, oldest first
--   catch_up_limit (1..1000, 10)            with missed = 'catch_up' only
--   paused (boolean)                        absent: a new schedule runs, an existing one keeps
--                                            its state (pause_schedule, resume_schedule)
--   queue (true or a queue name), priority, concurrency_key, max_recoveries, timeout_seconds,
--   max_attempts, retry_backoff_seconds, retry_max_backoff_seconds: each tick's workflow is
--   started with them, as by submit_workflow.
-- Idempotent: the same call again changes nothing (workers call it at every start). A new cron
-- expression or time zone moves the next tick to the first one after now (ticks missed under
-- the old expression are dropped); other changes keep it. Resuming a schedule paused by this
-- call (paused false) starts from the first tick after now. Locks: the schedule row.
-- Errors: PQ008 (a name that is NULL, blank or over 200 characters; a workflow name as in
-- submit_workflow; an invalid cron expression, naming the field; an unknown time zone; bad
-- options), PQ007 and PQ013 (the input, within a tick's input).
create function pgqrs.set_schedule(
    p_name     text,
    p_workflow text,
    p_cron     text,
    p_timezone text default 'UTC',
    p_input    jsonb default null,
    p_options  jsonb default '{}'
)
returns table (
    name             text,
    workflow         text,
    cron             text,
    timezone         text,
    input            jsonb,
    options          jsonb,
    paused           boolean,
    missed           text,
    catch_up_limit   integer,
    next_run_at      timestamptz,
    last_run_at      timestamptz,
    last_workflow_id uuid,
    last_status      text,
    last_error       text,
    created_at       timestamptz,
    updated_at       timestamptz
)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now      timestamptz := pgqrs.now();
    v_opt      record;
    v_old      pgqrs.schedules;
    v_timezone text;
    v_cron     text := pg_catalog.btrim(p_cron);
    v_next     timestamptz;
    v_paused   boolean;
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    perform pgqrs._check_text('schedule name', p_name, 200);
    perform pgqrs._check_text('workflow name', p_workflow, 255);
    perform pgqrs._cron_parse(p_cron);
    v_opt := pgqrs._schedule_options(p_options, v_now);
    perform pgqrs._check_payload('schedule input', pg_catalog.jsonb_build_object(
        'schedule', p_name, 'scheduled_at', '1970-01-01T00:00:00Z', 'input', p_input));

    select * into v_old from pgqrs.schedules s where s.name = p_name for update;
    if v_old.name is not null and v_old.timezone = p_timezone then
        v_timezone := v_old.timezone;  -- checked when it was stored
    else
        v_timezone := pgqrs._check_timezone(p_timezone);
    end if;
    v_paused := coalesce(v_opt.paused, v_old.paused, false);
    if v_old.name is null
       or v_old.cron is distinct from v_cron
       or v_old.timezone is distinct from v_timezone
       or (v_old.paused and not v_paused) then
        v_next := pgqrs._cron_next(v_cron, v_timezone, v_now);
    else
        v_next := v_old.next_run_at;
    end if;
    if v_old.name is null then
        insert into pgqrs.schedules as s
               (name, workflow, cron, timezone, input, options, paused, missed, catch_up_limit,
                next_run_at, created_at, updated_at)
        values (p_name, p_workflow, v_cron, v_timezone, p_input, v_opt.start_options, v_paused,
                v_opt.missed, v_opt.catch_up_limit, v_next, v_now, v_now)
        on conflict on constraint schedules_pkey do nothing;
        if not found then
            -- Created meanwhile by a concurrent call: apply this one over it.
            return query select * from pgqrs.set_schedule(p_name, p_workflow, p_cron,
                                                          p_timezone, p_input, p_options);
            return;
        end if;
    elsif (v_old.workflow, v_old.cron, v_old.timezone, v_old.input, v_old.options, v_old.paused,
           v_old.missed, v_old.catch_up_limit, v_old.next_run_at)
          is distinct from (p_workflow, v_cron, v_timezone, p_input, v_opt.start_options,
                            v_paused, v_opt.missed, v_opt.catch_up_limit, v_next) then
        update pgqrs.schedules s
           set workflow = p_workflow, cron = v_cron, timezone = v_timezone, input = p_input,
               options = v_opt.start_options, paused = v_paused, missed = v_opt.missed,
               catch_up_limit = v_opt.catch_up_limit, next_run_at = v_next, updated_at = v_now
         where s.name = p_name;
    end if;
    return query select * from pgqrs._schedule_rows(p_name);
end
$$;
comment on function pgqrs.set_schedule(text, text, text, text, jsonb, jsonb) is
    'Creates or replaces a cron schedule that starts a workflow at every tick; idempotent.';

-- pause_schedule(name) -> found
-- Pauses schedule p_name: it fires nothing until resume_schedule (or set_schedule with paused
-- false). True when the schedule exists (pausing a paused one changes nothing), false when
-- there is none. Workflows it started are not touched. Locks: the schedule row.
-- Errors: PQ008 (NULL name).
create function pgqrs.pause_schedule(p_name text)
returns boolean
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    if p_name is null then
        raise exception 'pgqrs: schedule name must not be null' using errcode = 'PQ008';
    end if;
    update pgqrs.schedules s
       set paused = true, updated_at = pgqrs.now()
     where s.name = p_name and not s.paused;
    return found or exists (select from pgqrs.schedules s where s.name = p_name);
end
$$;
comment on function pgqrs.pause_schedule(text) is
    'Pauses a schedule: it fires nothing until resumed. False when there is no such schedule.';

-- resume_schedule(name) -> found
-- Resumes a paused schedule from the first tick after now: ticks that passed while it was
-- paused are not fired. True when the schedule exists (resuming a running one changes nothing),
-- false when there is none. Locks: the schedule row. Errors: PQ008 (NULL name).
create function pgqrs.resume_schedule(p_name text)
returns boolean
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_now timestamptz := pgqrs.now();
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    if p_name is null then
        raise exception 'pgqrs: schedule name must not be null' using errcode = 'PQ008';
    end if;
    update pgqrs.schedules s
       set paused = false, updated_at = v_now,
           next_run_at = pgqrs._cron_next(s.cron, s.timezone, v_now)
     where s.name = p_name and s.paused;
    if found then
        perform pg_catalog.pg_notify('pgqrs_work', '*');  -- idle workers: a new next tick
        return true;
    end if;
    return exists (select from pgqrs.schedules s where s.name = p_name);
end
$$;
comment on function pgqrs.resume_schedule(text) is
    'Resumes a paused schedule from the next tick after now. False when there is no such one.';

-- delete_schedule(name) -> deleted
-- Deletes schedule p_name; the workflows it started stay. False when there was none. Locks: the
-- schedule row (waits for a firing of it to commit). Errors: PQ008 (NULL name).
create function pgqrs.delete_schedule(p_name text)
returns boolean
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform pg_catalog.set_config('synchronous_commit', 'on', true);
    if p_name is null then
        raise exception 'pgqrs: schedule name must not be null' using errcode = 'PQ008';
    end if;
    delete from pgqrs.schedules s where s.name = p_name;
    return found;
end
$$;
comment on function pgqrs.delete_schedule(text) is
    'Deletes a schedule; the workflows it started stay. False when there was none.';

-- list_schedules() -> one row per schedule, by name
-- Each schedule's settings (options: the start options of its workflows), its next tick, the
-- last tick it fired (last_run_at) with that tick's workflow and its status (NULL once pruned),
-- and last_error: why the last firing could not start a tick's workflow (NULL when it could).
-- Read-only; no locks.
create function pgqrs.list_schedules()
returns table (
    name             text,
    workflow         text,
    cron             text,
    timezone         text,
    input            jsonb,
    options          jsonb,
    paused           boolean,
    missed           text,
    catch_up_limit   integer,
    next_run_at      timestamptz,
    last_run_at      timestamptz,
    last_workflow_id uuid,
    last_status      text,
    last_error       text,
    created_at       timestamptz,
    updated_at       timestamptz
)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
    select * from pgqrs._schedule_rows(null)
$$;
comment on function pgqrs.list_schedules() is
    'Every schedule with its settings, next tick, and last fired tick and its workflow.';

-- _fire_schedules(now, limit) -> workflows started
-- Fires up to p_limit due schedules (next_run_at <= p_now, not paused), the earliest first, each
-- locked FOR UPDATE SKIP LOCKED (a schedule another transaction is firing or changing is left to
-- it). For each: the due ticks are the latest tick at or before p_now, and with missed =
-- 'catch_up' the ticks before it back to next_run_at, at most catch_up_limit in all; each starts
-- its workflow through submit_workflow, available from the tick (so claims take caught-up
-- ticks oldest first, and this claim can take a tick that is due), with the idempotency key 'schedule:<name>:<tick>', so that a tick whose workflow exists already starts
-- nothing (an existing workflow with another input counts as that tick's too). Then
-- next_run_at becomes the first tick after p_now and last_run_at the latest tick. A tick that
-- cannot start (its options became invalid behind set_schedule's back, say) is skipped with the
-- reason in last_error and the claim that called this goes on; a transient error (a
-- serialization failure, a deadlock, a lock timeout) fails the claim instead, which rolls the
-- whole firing back for a retry. Called by claim, which does the one-probe
-- check of schedules_due first. Locks: the schedule rows, then the new workflow rows.
create function pgqrs._fire_schedules(p_now timestamptz, p_limit integer)
returns integer
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    v_s       pgqrs.schedules;
    v_cron    record;
    v_ticks   timestamptz[];
    v_tick    timestamptz;
    v_latest  timestamptz;
    v_next    timestamptz;
    v_error   text;
    v_started integer := 0;
begin
    for v_s in
        select * from pgqrs.schedules s
         where s.next_run_at <= p_now and not s.paused
         order by s.next_run_at, s.name
         limit p_limit
           for update skip locked
    loop
        v_error := null;
        begin
            v_cron := pgqrs._cron_parse(v_s.cron);
            v_latest := greatest(v_s.next_run_at, pgqrs._cron_tick(
                v_cron.minutes, v_cron.hours, v_cron.doms, v_cron.months, v_cron.dows,
                v_cron.either_day, v_s.timezone, p_now, true));
            v_ticks := array[v_latest];
            while v_s.missed = 'catch_up'
                  and pg_catalog.cardinality(v_ticks) < v_s.catch_up_limit loop
                v_tick := pgqrs._cron_tick(
                    v_cron.minutes, v_cron.hours, v_cron.doms, v_cron.months, v_cron.dows,
                    v_cron.either_day, v_s.timezone, v_ticks[1] - interval '1 microsecond',
                    true);
                exit when v_tick is null or v_tick < v_s.next_run_at;
                v_ticks := v_tick || v_ticks;
            end loop;
            v_next := pgqrs._cron_tick(
                v_cron.minutes, v_cron.hours, v_cron.doms, v_cron.months, v_cron.dows,
                v_cron.either_day, v_s.timezone, greatest(p_now, v_latest), false);
        exception when others then
            -- The stored expression or zone no longer reads (a zone dropped from the system's
            -- tz database, say): fire nothing until set_schedule fixes it.
            v_error := pg_catalog.format('tick after %s: %s (%s)', v_s.next_run_at, sqlerrm,
                                         sqlstate);
            v_ticks := '{}';
            v_latest := v_s.last_run_at;
            v_next := null;
        end;
        foreach v_tick in array v_ticks loop
            begin
                perform pgqrs.submit_workflow(
                    v_s.workflow,
                    pg_catalog.jsonb_build_object(
                        'schedule', v_s.name,
                        'scheduled_at', pgqrs._schedule_tick_text(v_tick),
                        'input', v_s.input),
                    v_s.options || pg_catalog.jsonb_build_object(
                        'idempotency_key',
                        'schedule:' || v_s.name || ':' || pgqrs._schedule_tick_text(v_tick),
                        'run_at', v_tick));
                v_started := v_started + 1;
            exception
                when sqlstate 'PQ006' then
                    null;  -- the tick has its workflow already
                when serialization_failure or deadlock_detected or lock_not_available then
                    raise;  -- transient: the claim fails whole and is retried, the tick with it
                when others then
                    v_error := pg_catalog.format('tick %s: %s (%s)',
                                                 pgqrs._schedule_tick_text(v_tick), sqlerrm,
                                                 sqlstate);
            end;
        end loop;
        update pgqrs.schedules s
           set next_run_at = v_next, last_run_at = v_latest, last_error = v_error
         where s.name = v_s.name;
    end loop;
    return v_started;
end
$$;
comment on function pgqrs._fire_schedules(timestamptz, integer) is
    'Private. Starts the workflows of due schedule ticks, once per tick; advances next_run_at.';
