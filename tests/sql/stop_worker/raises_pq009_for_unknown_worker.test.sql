begin;
select plan(2);

-- TEST: an unknown worker raises PQ009, and no worker is recorded
select throws_ok($$select pgqrs.stop_worker('nobody')$$, 'PQ009', null, 'unknown worker: PQ009');
select is((select count(*) from pgqrs.workers), 0::bigint, 'no worker recorded');

select * from finish();
rollback;
