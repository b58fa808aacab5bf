begin;
select plan(4);

-- Four workers claim from a queue limited to 10 starts per 10 seconds every 200 ms of fake
-- time for a minute, and finish at once what they get; every start is recorded.
select pgqrs_test.set_clock() as t0 \gset
select count(pgqrs_test.worker('wq-rw-' || g, array['wf'])) from generate_series(1, 4) g \gset
select pgqrs.set_queue('cq-rate-window', '{"rate_limit": 10, "rate_period_seconds": 10}') \gset
select cardinality(pgqrs_test.fill_queue('cq-rate-window', 200)) \gset
create temp table starts (workflow_id uuid, at timestamptz);
do $$
declare
    v_t0 timestamptz := pgqrs.now();
    v_id uuid;
begin
    for v_tick in 0..299 loop
        perform pg_catalog.set_config('pgqrs.fake_now', (v_t0 + v_tick * interval '200 ms')::text, true);
        for v_worker in 1..4 loop
            foreach v_id in array pgqrs_test.claim_ids('wq-rw-' || ((v_tick + v_worker) % 4 + 1), 3) loop
                insert into starts values (v_id, pgqrs.now());
                perform pgqrs_test.complete(v_id);
            end loop;
        end loop;
    end loop;
end
$$;

-- TEST: over the minute, exactly 10 starts per period: 60
select is(count(*), 60::bigint, '60 starts in 60 s') from starts;
-- TEST: no window of 10 seconds holds more than 10 starts
select is(max(n), 10::bigint, 'at most 10 in any 10 s window')
  from (select count(*) over (order by at range between current row and interval '9.999999 seconds' following) as n
          from starts) x;
-- TEST: each start is a different workflow, the first 60 of the queue
select is(count(distinct workflow_id), 60::bigint, '60 workflows') from starts;
select set_eq('select workflow_id from starts',
              $$select id from pgqrs.workflows where queue = 'cq-rate-window'
                 order by available_at, id limit 60$$, 'the first 60 of the queue');

select * from finish();
rollback;
