begin;
select plan(2);

-- TEST: a negative max_recoveries raises PQ008 and stores nothing
select throws_ok($$select * from pgqrs.start_workflow('neg', p_max_recoveries => -1)$$,
    'PQ008', null, 'max_recoveries -1: PQ008');
select is((select count(*) from pgqrs.workflows where name = 'neg'), 0::bigint,
    'no workflow was inserted');

select * from finish();
rollback;
