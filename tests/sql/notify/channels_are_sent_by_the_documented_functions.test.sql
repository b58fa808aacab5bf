begin;
select plan(6);

-- A NOTIFY is delivered only when its transaction commits, and every test rolls back, so the
-- wake-ups themselves are tested in pytest. Here: which functions send on which channel. They
-- send through _notify, whose payload is an opaque tag of the subject (_notify_tag), or '*'.
create temp table sends as
    select p.proname::text as fn, m[1] as channel, m[2] as subject
      from pg_proc p,
           regexp_matches(p.prosrc, 'pgqrs\._notify\(\s*''([a-z_]+)'',\s*''([a-z]+):''', 'g') m
     where p.pronamespace = 'pgqrs'::regnamespace;

-- TEST: pgqrs_work (the tag of 'work:' || a workflow name) announces new or released work
select set_eq($$select fn from sends where channel = 'pgqrs_work'$$,
              $$values ('_create_workflow'), ('release_workflow'), ('revive_workflow'),
                       ('suspend_workflow'), ('resume_workflow'), ('fork_workflow'),
                       ('_wake_waiters'), ('_apply_deferred')$$,
              'pgqrs_work: start_workflow and submit_workflow (via _create_workflow), release, '
              'revive, suspend (to a time already passed), resume, fork, woken waiters (via '
              '_wake_waiters and deferred wake-ups)');
-- TEST: pgqrs_done (the tag of 'done:' || a workflow id) announces a workflow that became
-- SUCCESS, FAILED, DEAD or CANCELLED
select set_eq($$select fn from sends where channel = 'pgqrs_done'$$,
              $$values ('_finish_workflow'), ('_set_aside'), ('_cancel_tree')$$,
              'pgqrs_done: _finish_workflow (complete and fail), _set_aside (DEAD), _cancel_tree '
              '(cancel_workflow and deadlines)');
-- TEST: pgqrs_event (the tag of 'event:' || '<workflow id> <key>') announces a value published
-- by set_event
select set_eq($$select fn from sends where channel = 'pgqrs_event'$$,
              $$values ('set_event')$$, 'pgqrs_event: set_event');
-- TEST: pgqrs_message (the tag of 'message:' || '<workflow id> <topic>') announces a message
-- sent by send_message, for a receiver waiting in its process
select set_eq($$select fn from sends where channel = 'pgqrs_message'$$,
              $$values ('send_message')$$, 'pgqrs_message: send_message');
-- TEST: every channel's subject has its own prefix
select is_empty($$select * from sends
                   where (channel, subject) not in (('pgqrs_work', 'work'), ('pgqrs_done', 'done'),
                                                    ('pgqrs_event', 'event'),
                                                    ('pgqrs_message', 'message'))$$,
    'only the four documented channels, each with its subject');
-- TEST: nothing else notifies, but with the payload '*' (work of any name) on pgqrs_work
select is_empty(
    $$select p.proname, m[0] from pg_proc p,
             regexp_matches(p.prosrc, 'pg_notify\(([^)]*)\)', 'g') m
       where p.pronamespace = 'pgqrs'::regnamespace
         and p.proname <> '_notify'
         and m[1] <> '''pgqrs_work'', ''*'''$$,
    'no payload but a tag or ''*''');

select * from finish();
rollback;
