begin;
select plan(2);

-- TEST: sending to a workflow that does not exist raises PQ001 and stores nothing
select throws_ok($$select * from pgqrs.send_message('00000000-0000-0000-0000-000000000000', 'orders', '1')$$,
    'PQ001', null, 'PQ001');
select is((select count(*) from pgqrs.messages
            where workflow_id = '00000000-0000-0000-0000-000000000000'), 0::bigint, 'no message');

select * from finish();
rollback;
