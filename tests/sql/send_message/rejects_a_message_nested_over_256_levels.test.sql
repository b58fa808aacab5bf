begin;
select plan(3);

select pgqrs_test.new_workflow() as workflow_id \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a message nested more than 256 levels deep raises PQ013 ...
select throws_ok(format('select pgqrs.send_message(%L, %L, %L)', :'workflow_id', 'orders', pgqrs_test.nested(257)),
    'PQ013', null, '257 levels: PQ013');
-- TEST: ... and queues nothing
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: 256 levels are accepted
select message_id from pgqrs.send_message(:'workflow_id', 'orders', pgqrs_test.nested(256)) \gset
select is(m.message, pgqrs_test.nested(256), '256 levels, queued') from pgqrs.messages m where m.id = :message_id;

select * from finish();
rollback;
