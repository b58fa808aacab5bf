begin;
select plan(4);

-- TEST: a tag is the first 16 hex digits of sha256(notify_key() || subject as UTF-8), so that a
-- client holding the key computes tags itself
select is(pgqrs.notify_tag(s), left(encode(sha256(pgqrs.notify_key() || convert_to(s, 'UTF8')), 'hex'), 16), s)
  from unnest(array['work:wf', 'done:' || gen_random_uuid(), 'event:0190a1b2-0000-7000-8000-000000000000 status',
                    'work:répertoire ☃']) s;

select * from finish();
rollback;
