begin;
select plan(3);

-- The same workflow (two finished steps, suspended) in the default queue and in a queue with
-- every limit: a claim hands each out the same way.
select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-same-a', array['wf-same-d']) \gset
select pgqrs_test.worker('wq-same-b', array['wf-same-q']) \gset
select pgqrs.set_queue('cq-same', '{"concurrency": 3, "worker_concurrency": 2, "rate_limit": 5,
                                    "rate_period_seconds": 60, "key_concurrency": 1}') \gset
create temp table pair (kind text, id uuid, token bigint);
insert into pair
select kind, pgqrs_test.in_queue(queue, options, '{"in": 1}', name), null
  from (values ('plain', 'default', '{}'::jsonb, 'wf-same-d'),
               ('limited', 'cq-same', '{"concurrency_key": "k", "priority": 3}'::jsonb, 'wf-same-q')) v (kind, queue, options, name);
update pair set token = (select c.token from pgqrs.claim(case kind when 'plain' then 'wq-same-a' else 'wq-same-b' end,
                                                         gen_random_uuid(), 1, 60) c);
select count(*) from pair,
       lateral (select pgqrs_test.succeeded_step(id, token, 's1', '1'),
                       pgqrs_test.succeeded_step(id, token, 's2', '{"two": 2}'),
                       pgqrs.suspend_workflow(id, token, pgqrs.now())) x \gset
select pgqrs_test.advance_clock('1 second') \gset
create temp table handed as
select 'plain' as kind, c.* from pgqrs.claim('wq-same-a', gen_random_uuid(), 1, 45) c
union all
select 'limited', c.* from pgqrs.claim('wq-same-b', gen_random_uuid(), 1, 45) c;

-- TEST: the same row (token, input, snapshot, recovered) for both
select is((select count(distinct (h.token, h.input, h.steps, h.recovered)) from handed h), 1::bigint,
          'one distinct row');
select is((select steps from handed where kind = 'limited'),
          '{"s1": {"error": null, "output": 1, "status": "SUCCESS"}, "s2": {"error": null, "output": {"two": 2}, "status": "SUCCESS"}}'::jsonb,
          'the finished steps');
-- TEST: the same lease: owner, expiry, token
select is((select count(distinct (w.lease_token, w.lease_expires_at, w.status, w.recoveries)) from pgqrs.workflows w
            join pair p on p.id = w.id), 1::bigint, 'one lease shape');

select * from finish();
rollback;
