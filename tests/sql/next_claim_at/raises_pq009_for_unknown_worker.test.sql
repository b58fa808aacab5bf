begin;
select plan(1);

-- TEST: an unknown worker raises PQ009
select throws_ok($$select pgqrs.next_claim_at('nobody')$$, 'PQ009', null, 'unknown worker: PQ009');

select * from finish();
rollback;
