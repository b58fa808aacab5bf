begin;
select plan(2);

-- TEST: 0.2.0 keeps every 0.1.0 signature, so it serves 0.1.0 clients
select is(pgqrs.min_client_version(), '0.1.0', 'min_client_version 0.1.0');
-- TEST: it is never newer than the schema itself
select ok(string_to_array(pgqrs.min_client_version(), '.')::int[]
          <= string_to_array(pgqrs.version(), '.')::int[], 'not newer than version()');

select * from finish();
rollback;
