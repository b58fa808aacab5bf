begin;
select plan(26);

-- TEST: every bad argument raises PQ008 (PQ013 for an input nested too deep) and stores nothing
select is(e.code, x.code, x.what)
  from (values
      ('NULL name', $$select pgqrs.set_schedule(null, 'wf', '* * * * *')$$, 'PQ008'),
      ('blank name', $$select pgqrs.set_schedule(' ', 'wf', '* * * * *')$$, 'PQ008'),
      ('name over 200 characters', format($$select pgqrs.set_schedule(%L, 'wf', '* * * * *')$$, repeat('s', 201)), 'PQ008'),
      ('NULL workflow', $$select pgqrs.set_schedule('s', null, '* * * * *')$$, 'PQ008'),
      ('blank workflow', $$select pgqrs.set_schedule('s', '', '* * * * *')$$, 'PQ008'),
      ('NULL cron', $$select pgqrs.set_schedule('s', 'wf', null)$$, 'PQ008'),
      ('bad cron', $$select pgqrs.set_schedule('s', 'wf', '* * * *')$$, 'PQ008'),
      ('NULL time zone', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', null)$$, 'PQ008'),
      ('unknown time zone', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', 'Mars/Olympus')$$, 'PQ008'),
      ('an abbreviation', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', 'PDT')$$, 'PQ008'),
      ('input too deep', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', 'UTC', pgqrs_test.nested(256))$$, 'PQ013'),
      ('options not an object', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '[]')$$, 'PQ008'),
      ('unknown option', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"colour": 1}')$$, 'PQ008'),
      ('id (each tick has its own)', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"id": "018f4e7c-0000-7000-8000-000000000000"}')$$, 'PQ008'),
      ('idempotency_key', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"idempotency_key": "k"}')$$, 'PQ008'),
      ('run_at', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"run_at": "2030-01-01"}')$$, 'PQ008'),
      ('deadline', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"deadline": "2030-01-01"}')$$, 'PQ008'),
      ('queue false', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"queue": false}')$$, 'PQ008'),
      ('missed unknown', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"missed": "all"}')$$, 'PQ008'),
      ('catch_up_limit without catch_up', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"catch_up_limit": 5}')$$, 'PQ008'),
      ('catch_up_limit 0', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"missed": "catch_up", "catch_up_limit": 0}')$$, 'PQ008'),
      ('catch_up_limit 1001', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"missed": "catch_up", "catch_up_limit": 1001}')$$, 'PQ008'),
      ('catch_up_limit a string', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"missed": "catch_up", "catch_up_limit": "5"}')$$, 'PQ008'),
      ('paused a string', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"paused": "yes"}')$$, 'PQ008'),
      ('priority out of range', $$select pgqrs.set_schedule('s', 'wf', '* * * * *', p_options => '{"priority": 5000}')$$, 'PQ008')
  ) x (what, sql, code)
 cross join lateral pgqrs_test.error_of(x.sql) e;
select is((select count(*) from pgqrs.schedules s where s.name = 's'), 0::bigint, 'nothing stored');

select * from finish();
rollback;
