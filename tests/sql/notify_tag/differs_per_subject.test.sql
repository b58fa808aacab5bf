begin;
select plan(3);

-- TEST: different subjects get different tags ...
select isnt(pgqrs.notify_tag('work:wf-a'), pgqrs.notify_tag('work:wf-b'), 'two names, two tags');
-- TEST: ... the same subject always the same one
select is(pgqrs.notify_tag('work:wf-a'), pgqrs.notify_tag('work:wf-a'), 'stable');
-- TEST: and a tag is 16 hex digits, whatever the subject
select ok(pgqrs.notify_tag('work:wf-a') ~ '^[0-9a-f]{16}$', '16 hex digits');

select * from finish();
rollback;
