begin;
select plan(2);

select set_config('pgqrs.fake_now', 'not a time', true) \gset

-- TEST: an invalid pgqrs.fake_now makes the clock, and every function that reads it, fail
select throws_ok('select pgqrs.now()', '22007', null, 'pgqrs.now(): 22007');
select throws_ok($$select pgqrs.create_workflow('wf')$$, '22007', null, 'create_workflow: 22007');

select * from finish();
rollback;
