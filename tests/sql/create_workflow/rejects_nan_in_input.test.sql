begin;
select plan(2);

-- TEST: NaN is not JSON; jsonb input rejects it before pgqrs runs
select throws_ok($$select pgqrs.create_workflow('wf', '{"x": NaN}')$$, '22P02', null,
    'NaN in an object: 22P02');
select throws_ok($$select pgqrs.create_workflow('wf', 'NaN')$$, '22P02', null,
    'NaN as the whole input: 22P02');

select * from finish();
rollback;
