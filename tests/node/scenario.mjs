// Drive two pgqrs workflows through the SQL API from Node.js, with the `pg` package only.
//
//   node scenario.mjs postgresql://user:password@host:port/dbname     (or set PGQRS_DSN)
//
// Prints a JSON summary on stdout and exits 0; any unexpected outcome prints the error on stderr
// and exits 1. tests/py/test_node.py runs this, runs the same scenario with the Python client in
// another database, and checks that pgqrs.workflows and pgqrs.steps hold the same rows. Keep the
// two scenarios in step: same names, inputs, step keys, values, owners and order of calls.
//
// docs/other-languages.md explains each call.

import assert from 'node:assert/strict';
import pg from 'pg';

const OWNER = 'runner-1'; // a stable runner id: restarted with it, a runner takes its leases back
const OTHER = 'runner-2'; // another runner, which must find the workflow busy
const LEASE_SECONDS = 30;

// --- the protocol: one SQL call each ----------------------------------------------------------
// Named arguments and an explicit cast on every parameter, one call per transaction (a pg.Client
// outside BEGIN autocommits). JSON goes out as text made by JSON.stringify: never hand pg a JS
// array or object, it would send an array as a PostgreSQL array literal. jsonb comes back parsed.
// Tokens are int8, which pg returns as strings: keep them as they are and send them back.

const json = (value) => JSON.stringify(value);

async function createWorkflow(db, name, input, idempotencyKey) {
  const { rows } = await db.query(
    `select workflow_id, created, status
       from pgqrs.create_workflow(p_name => $1::text, p_input => $2::jsonb,
                                  p_idempotency_key => $3::text)`,
    [name, json(input), idempotencyKey],
  );
  return rows[0]; // { workflow_id, created, status }
}

async function acquireWorkflow(db, workflowId, owner) {
  const { rows } = await db.query(
    `select status, token, lease_expires_at, name, input, output, error, steps
       from pgqrs.acquire_workflow(p_workflow_id => $1::uuid, p_owner => $2::text,
                                   p_lease_seconds => $3::float8)`,
    [workflowId, owner, LEASE_SECONDS],
  );
  return rows[0]; // steps: { key: { status, output, error } } for every finished step
}

async function acquireStep(db, workflowId, key, token) {
  const { rows } = await db.query(
    `select status, value, attempt
       from pgqrs.acquire_step(p_workflow_id => $1::uuid, p_step_key => $2::text,
                               p_token => $3::int8)`,
    [workflowId, key, token],
  );
  return rows[0]; // { status: 'EXECUTE' | 'SKIPPED', value, attempt }
}

async function completeStep(db, workflowId, key, token, output) {
  await db.query(
    `select pgqrs.complete_step(p_workflow_id => $1::uuid, p_step_key => $2::text,
                                p_token => $3::int8, p_output => $4::jsonb)`,
    [workflowId, key, token, json(output)],
  );
}

async function failStep(db, workflowId, key, token, error) {
  await db.query(
    `select pgqrs.fail_step(p_workflow_id => $1::uuid, p_step_key => $2::text,
                            p_token => $3::int8, p_error => $4::jsonb)`,
    [workflowId, key, token, json(errorObject(error))],
  );
}

async function completeWorkflow(db, workflowId, token, output) {
  await db.query(
    `select pgqrs.complete_workflow(p_workflow_id => $1::uuid, p_token => $2::int8,
                                    p_output => $3::jsonb)`,
    [workflowId, token, json(output)],
  );
}

async function failWorkflow(db, workflowId, token, error) {
  await db.query(
    `select pgqrs.fail_workflow(p_workflow_id => $1::uuid, p_token => $2::int8,
                                p_error => $3::jsonb)`,
    [workflowId, token, json(errorObject(error))],
  );
}

async function heartbeat(db, workflowId, token) {
  const { rows } = await db.query(
    'select pgqrs.heartbeat(p_workflow_id => $1::uuid, p_token => $2::int8) as expires',
    [workflowId, token],
  );
  return rows[0].expires; // the new lease_expires_at, a Date
}

async function releaseWorkflow(db, workflowId, token) {
  await db.query('select pgqrs.release_workflow(p_workflow_id => $1::uuid, p_token => $2::int8)', [
    workflowId,
    token,
  ]);
}

// The stored form of a failure, as the Python client writes it: {type, message, traceback}.
// A plain message has no type and no traceback.
function errorObject(error) {
  if (typeof error === 'string') return { type: null, message: error, traceback: null };
  return { type: error.name, message: error.message, traceback: error.stack ?? null };
}

// A workflow's own failure. Its type reads as the Python client's "module.ClassName" would.
class NoCourierError extends Error {}
NoCourierError.prototype.name = 'shipping.NoCourierError';

// --- expected errors, told apart by SQLSTATE (err.code) -------------------------------------

const caught = [];

// Run `call`, which must fail with SQLSTATE `code`; return the error. Anything else is a bug.
async function expectSqlstate(code, what, call) {
  try {
    await call();
  } catch (err) {
    if (err.code !== code) throw err;
    caught.push({ what, code: err.code, message: err.message });
    return err;
  }
  throw new Error(`${what}: expected SQLSTATE ${code}, but the call succeeded`);
}

// --- the scenario ---------------------------------------------------------------------------

async function chargeOrder(db) {
  const input = { order_id: 42, amount_cents: 1999 };

  // Create it; creating again with the same idempotency key returns the same workflow.
  const made = await createWorkflow(db, 'charge_order', input, 'order-42');
  assert.deepEqual([made.created, made.status], [true, 'PENDING']);
  const again = await createWorkflow(db, 'charge_order', input, 'order-42');
  assert.deepEqual(
    [again.workflow_id, again.created, again.status],
    [made.workflow_id, false, 'PENDING'],
  );
  const id = made.workflow_id;

  // Run 1: acquire (token 1). reserve_stock succeeds, charge_card fails, and the runner
  // "crashes" in the middle of send_receipt (acquired, no outcome recorded).
  const run1 = await acquireWorkflow(db, id, OWNER);
  assert.deepEqual([run1.status, run1.token, run1.input, run1.steps], ['RUNNING', '1', input, {}]);
  let step = await acquireStep(db, id, 'reserve_stock', run1.token);
  assert.deepEqual([step.status, step.attempt], ['EXECUTE', 1]);
  await completeStep(db, id, 'reserve_stock', run1.token, { reservation: 'R-7' });
  step = await acquireStep(db, id, 'charge_card', run1.token);
  assert.equal(step.status, 'EXECUTE');
  await failStep(db, id, 'charge_card', run1.token, 'card declined');
  step = await acquireStep(db, id, 'send_receipt', run1.token);
  assert.deepEqual([step.status, step.attempt], ['EXECUTE', 1]);

  // Another runner cannot take it while runner-1's lease is live: PQ002, holder in DETAIL.
  const busy = await expectSqlstate('PQ002', 'acquire charge_order as runner-2', () =>
    acquireWorkflow(db, id, OTHER),
  );
  assert.equal(JSON.parse(busy.detail).owner, OWNER);

  // Run 2: runner-1 restarts and acquires again at once (token 2). The finished steps come
  // back in one snapshot; the RUNNING send_receipt is not in it.
  const run2 = await acquireWorkflow(db, id, OWNER);
  assert.deepEqual([run2.status, run2.token], ['RUNNING', '2']);
  assert.deepEqual(run2.steps, {
    reserve_stock: { status: 'SUCCESS', output: { reservation: 'R-7' }, error: null },
    charge_card: { status: 'FAILED', output: null, error: errorObject('card declined') },
  });
  // Replay: reserve_stock is SKIPPED with its stored output and does not run again.
  step = await acquireStep(db, id, 'reserve_stock', run2.token);
  assert.deepEqual([step.status, step.value], ['SKIPPED', { reservation: 'R-7' }]);
  // Replay: charge_card failed before: PQ004, the stored error as JSON in DETAIL.
  const failed = await expectSqlstate('PQ004', 'replay charge_card', () =>
    acquireStep(db, id, 'charge_card', run2.token),
  );
  const declined = JSON.parse(failed.detail);
  assert.equal(declined.message, 'card declined');
  // Run 1 wakes up and tries to record send_receipt with token 1: fenced out, nothing written.
  await expectSqlstate('PQ003', 'late send_receipt of run 1', () =>
    completeStep(db, id, 'send_receipt', run1.token, { sent: 'late' }),
  );
  // send_receipt did not finish: it runs again (attempt 2), then the workflow succeeds.
  step = await acquireStep(db, id, 'send_receipt', run2.token);
  assert.deepEqual([step.status, step.attempt], ['EXECUTE', 2]);
  await completeStep(db, id, 'send_receipt', run2.token, { sent: true });
  const output = { charged: false, reason: declined.message };
  await completeWorkflow(db, id, run2.token, output);

  // Replay of a finished workflow: no lease, the stored output, nothing runs.
  const done = await acquireWorkflow(db, id, OTHER);
  assert.deepEqual([done.status, done.output, done.lease_expires_at], ['SUCCESS', output, null]);
  return { id, status: done.status, output: done.output };
}

async function shipOrder(db) {
  const input = { order_id: 42, items: ['sku-1', 'sku-2'] };
  const { workflow_id: id } = await createWorkflow(db, 'ship_order', input, 'ship-42');

  // Run 1: pick_items succeeds (an array value), a heartbeat, then book_courier is acquired
  // and the runner shuts down gracefully: it releases the lease (the token moves on to 2).
  const run1 = await acquireWorkflow(db, id, OWNER);
  let step = await acquireStep(db, id, 'pick_items', run1.token);
  assert.equal(step.status, 'EXECUTE');
  await completeStep(db, id, 'pick_items', run1.token, ['sku-1', 'sku-2']);
  assert.ok((await heartbeat(db, id, run1.token)) instanceof Date);
  step = await acquireStep(db, id, 'book_courier', run1.token);
  assert.equal(step.status, 'EXECUTE');
  await releaseWorkflow(db, id, run1.token);
  // A released token is fenced out at once.
  await expectSqlstate('PQ003', 'book_courier after release', () =>
    completeStep(db, id, 'book_courier', run1.token, { courier: 'late' }),
  );

  // Run 2 (token 3): pick_items replays; book_courier fails, and so does the workflow.
  const run2 = await acquireWorkflow(db, id, OWNER);
  assert.deepEqual([run2.status, run2.token], ['RUNNING', '3']);
  step = await acquireStep(db, id, 'pick_items', run2.token);
  assert.deepEqual([step.status, step.value], ['SKIPPED', ['sku-1', 'sku-2']]);
  step = await acquireStep(db, id, 'book_courier', run2.token);
  assert.deepEqual([step.status, step.attempt], ['EXECUTE', 2]);
  await failStep(db, id, 'book_courier', run2.token, 'no courier available');
  const failure = new NoCourierError(`no courier for order ${input.order_id}`);
  await failWorkflow(db, id, run2.token, failure);

  // Replay of a failed workflow: the stored error, nothing runs.
  const done = await acquireWorkflow(db, id, OWNER);
  assert.deepEqual([done.status, done.error.type], ['FAILED', 'shipping.NoCourierError']);
  return { id, status: done.status, error: { type: done.error.type, message: done.error.message } };
}

async function main() {
  const dsn = process.argv[2] ?? process.env.PGQRS_DSN;
  if (!dsn) throw new Error('usage: node scenario.mjs DSN (or set PGQRS_DSN)');
  const db = new pg.Client({ connectionString: dsn });
  await db.connect();
  try {
    const workflows = { charge_order: await chargeOrder(db), ship_order: await shipOrder(db) };
    process.stdout.write(`${JSON.stringify({ ok: true, workflows, caught }, null, 2)}\n`);
  } finally {
    await db.end();
  }
}

main().catch((err) => {
  const code = err instanceof pg.DatabaseError ? ` (SQLSTATE ${err.code})` : '';
  process.stderr.write(`scenario.mjs: ${err.stack ?? err}${code}\n`);
  process.exitCode = 1;
});
