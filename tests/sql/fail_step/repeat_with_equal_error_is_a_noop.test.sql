begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs.fail_step(:'workflow_id', 'parse', :token, '"boom"') \gset
select pgqrs_test.advance_clock('10 seconds') \gset

-- TEST: failing again with an equal error (a client retry) succeeds and changes nothing
select lives_ok(format('select pgqrs.fail_step(%L, %L, %s, %L)', :'workflow_id', 'parse', :token, '"boom"'),
    'the same non-object error is accepted');
select lives_ok(format('select pgqrs.fail_step(%L, %L, %s, %L)', :'workflow_id', 'parse', :token,
    '{"message": "boom", "type": null}'), 'its stored form is accepted');
select is(s.finished_at, :'t0'::timestamptz, 'finished_at is unchanged') from pgqrs_test.step(:'workflow_id', 'parse') s;

select * from finish();
rollback;
