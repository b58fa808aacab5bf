begin;
select plan(6);

select * from pgqrs.create_workflow('wf', '{"n": 1}') \gset

-- TEST: the id is an RFC 9562 version 7 UUID
select is(substr(:'workflow_id', 15, 1), '7', 'the version nibble is 7');
select ok(substr(:'workflow_id', 20, 1) in ('8', '9', 'a', 'b'), 'the variant bits are 10');

-- TEST: the call reports a new PENDING workflow, and the row says so
select ok(:'created'::boolean, 'created is true');
select is(:'status'::text, 'PENDING', 'status is PENDING');
select is(w.status, 'PENDING', 'the row is PENDING') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, 0::bigint, 'no lease was ever granted') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
