begin;
select plan(5);
select pgqrs_test.prune_lock();
-- pgrowlocks (contrib) shows the row locks a transaction holds, with their modes.
create extension pgrowlocks;

-- An old finished root with a running child (a tree that cannot go), a running root, and an
-- old finished root that can go.
select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
select pgqrs_test.finished_workflow(p_input => '{"n": 1}') as blocked_root \gset
select workflow_id as running_child from pgqrs.submit_workflow('wf', '{"c": 1}', jsonb_build_object('parent_id', :'blocked_root', 'queue', false)) \gset
select token from pgqrs.acquire_workflow(:'running_child', 'runner-a') \gset
select workflow_id as running_root from pgqrs_test.running_workflow(p_input => '{"n": 2}') \gset
select pgqrs_test.finished_workflow(p_input => '{"n": 3}') as free_root \gset
select pgqrs_test.set_clock('2030-03-01 00:00:00+00') \gset
-- The locks this transaction took while making them (acquire_workflow's FOR KEY SHARE).
create temp table locks_before as
    select w.id, r.modes from pgqrs.workflows w join pgrowlocks('pgqrs.workflows') r on r.locked_row = w.ctid;

select is(p.workflows, 1::bigint, 'the free root goes') from pgqrs.prune(interval '30 days') p;

-- TEST: prune locked neither the running child nor the running root: their locks are the ones
-- they had
select results_eq(
    format($$select w.id, r.modes from pgqrs.workflows w
               left join pgrowlocks('pgqrs.workflows') r on r.locked_row = w.ctid
              where w.id in (%L, %L) order by w.id$$, :'running_child', :'running_root'),
    format($$select w.id, b.modes from unnest(array[%L, %L]::uuid[]) w(id)
               left join locks_before b on b.id = w.id order by w.id$$, :'running_child', :'running_root'),
    'the running workflows'' locks are unchanged');
select isnt(b.modes, array['For Update'], 'and they were not FOR UPDATE before')
  from locks_before b where b.id = :'running_child';
-- TEST: (control) the finished root of the tree that stays was locked FOR UPDATE, and the check
-- sees it
select is(r.modes, array['For Update'], 'the finished root was locked')
  from pgqrs.workflows w join pgrowlocks('pgqrs.workflows') r on r.locked_row = w.ctid
 where w.id = :'blocked_root';
-- TEST: the running child's runner still writes
select lives_ok(format('select pgqrs.complete_step(%L, %L, %s, %L)', :'running_child', 'fetch', :token, '"ok"'),
    'the child''s runner writes');

select * from finish();
rollback;
