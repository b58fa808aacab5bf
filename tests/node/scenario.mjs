// Drive three pgqrs workflows through the SQL API from Node.js, with the `pg` package only.
//
//   node scenario.mjs postgresql://user:password@host:port/dbname     (or set PGQRS_DSN)
//
// Prints a JSON summary on stdout and exits 0; any unexpected outcome prints the error on stderr
// and exits 1. tests/py/test_node.py runs this, runs the same scenario with the Python client in
// another database, and checks that pgqrs.workflows, pgqrs.steps and pgqrs.step_attempts hold the
// same rows. Keep the two scenarios in step: same names, inputs, step keys, positions, policies,
// values, errors, owners and order of calls.
//
// It speaks the 0.2.0 protocol, as the Python client does: submit_workflow, begin_step with
// positions, complete_step, fail_step_attempt. docs/other-languages.md explains each call.

import assert from 'node:assert/strict';
import pg from 'pg';

const OWNER = 'runner-1'; // a stable runner id: restarted with it, a runner takes its leases back
const OTHER = 'runner-2'; // another runner, which must find the workflow busy
const LEASE_SECONDS = 30;

// A step's retry policy and timeout, as begin_step takes them. Without a policy a step is tried
// once: these are begin_step's defaults, and what the Python client sends for such a step.
const NO_RETRIES = {
  maxAttempts: 1,
  backoffSeconds: 1,
  maxBackoffSeconds: 3600,
  timeoutSeconds: null,
};
// refund_card: two attempts, the second at most 50 ms after the first fails.
const REFUND_POLICY = {
  ...NO_RETRIES,
  maxAttempts: 2,
  backoffSeconds: 0.05,
  maxBackoffSeconds: 0.05,
};

// --- the protocol: one SQL call each ----------------------------------------------------------
// Named arguments and an explicit cast on every parameter, one call per transaction (a pg.Client
// outside BEGIN autocommits). JSON goes out as text made by JSON.stringify: never hand pg a JS
// array or object, it would send an array as a PostgreSQL array literal. jsonb comes back parsed.
// Tokens are int8, which pg returns as strings: keep them as they are and send them back.

const json = (value) => JSON.stringify(value);

// options: { queue: false } for a workflow this process runs itself (create_workflow in 0.1.0),
// and any of id, idempotency_key, deadline, timeout_seconds, max_attempts, ... (see the SQL).
async function submitWorkflow(db, name, input, options) {
  const { rows } = await db.query(
    `select workflow_id, created, status
       from pgqrs.submit_workflow(p_name => $1::text, p_input => $2::jsonb,
                                  p_options => $3::jsonb)`,
    [name, json(input), json(options)],
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
  return rows[0]; // steps: { key: { status, output, error, position } } for every finished step
}

// position: the nth step call of this run is at position n (1, 2, ...), replayed calls included.
async function beginStep(db, workflowId, key, token, position, policy = NO_RETRIES) {
  const { rows } = await db.query(
    `select status, value, attempt, retry_in
       from pgqrs.begin_step(p_workflow_id => $1::uuid, p_step_key => $2::text,
                             p_token => $3::int8, p_position => $4::int4,
                             p_max_attempts => $5::int4, p_backoff_seconds => $6::float8,
                             p_max_backoff_seconds => $7::float8,
                             p_timeout_seconds => $8::float8)`,
    [
      workflowId,
      key,
      token,
      position,
      policy.maxAttempts,
      policy.backoffSeconds,
      policy.maxBackoffSeconds,
      policy.timeoutSeconds,
    ],
  );
  // { status: 'EXECUTE' | 'SKIPPED' | 'FAILED' | 'WAIT', value, attempt, retry_in (seconds) }
  return rows[0];
}

async function completeStep(db, workflowId, key, token, output) {
  await db.query(
    `select pgqrs.complete_step(p_workflow_id => $1::uuid, p_step_key => $2::text,
                                p_token => $3::int8, p_output => $4::jsonb)`,
    [workflowId, key, token, json(output)],
  );
}

// retryable false fails the step for good (what the Python client's guard.fail sends); true lets
// the policy given to begin_step decide.
async function failStepAttempt(db, workflowId, key, token, error, retryable) {
  const { rows } = await db.query(
    `select status, attempt, retry_in
       from pgqrs.fail_step_attempt(p_workflow_id => $1::uuid, p_step_key => $2::text,
                                    p_token => $3::int8, p_error => $4::jsonb,
                                    p_retryable => $5::bool)`,
    [workflowId, key, token, json(errorObject(error)), retryable],
  );
  return rows[0]; // { status: 'RETRYING' | 'FAILED', attempt, retry_in (seconds, 0 if FAILED) }
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

async function listStepAttempts(db, workflowId) {
  const { rows } = await db.query(
    `select step_key, step_position, attempt, status, error, owner, started_at, finished_at
       from pgqrs.list_step_attempts(p_workflow_id => $1::uuid)`,
    [workflowId],
  );
  return rows;
}

// --- the clock, for tests only ----------------------------------------------------------------
// pgqrs.now() returns the setting pgqrs.fake_now when the session sets it. The scenario uses it so
// that a retry is not due until it says so, without sleeping. (set_config is SET with a parameter.)

async function freezeClock(db) {
  await db.query(`select set_config('pgqrs.fake_now', pgqrs.now()::text, false)`);
}

async function advanceClock(db, seconds) {
  await db.query(
    `select set_config('pgqrs.fake_now',
                       (pgqrs.now() + $1::float8 * interval '1 second')::text, false)`,
    [seconds],
  );
}

async function resetClock(db) {
  await db.query('reset pgqrs.fake_now');
}

// --- errors -------------------------------------------------------------------------------------

// The stored form of a failure, as the Python client writes it: {type, message, traceback}.
// A plain message has no type and no traceback.
function errorObject(error) {
  if (typeof error === 'string') return { type: null, message: error, traceback: null };
  return { type: error.name, message: error.message, traceback: error.stack ?? null };
}

// A workflow's own failure. Its type reads as the Python client's "module.ClassName" would.
class NoCourierError extends Error {}
NoCourierError.prototype.name = 'shipping.NoCourierError';
// refund_card's first attempt fails with this one, and is retried.
class GatewayTimeoutError extends Error {}
GatewayTimeoutError.prototype.name = 'payments.GatewayTimeoutError';

// A step that failed for good in an earlier run, replayed: begin_step answered FAILED with its
// stored error. It carries code PQ004, as the Python client's StepFailedError does (and as
// 0.1.0's acquire_step raised it), so that the workflow code handles it like the step failing.
class StepFailedError extends Error {
  constructor(key, stored) {
    super(`step ${key} failed: ${stored.message}`);
    this.code = 'PQ004';
    this.stored = stored;
  }
}

// begin_step, answered as the Python client answers it (PyWorkflow._acquire_key): FAILED throws.
async function startStep(db, workflowId, key, token, position, policy = NO_RETRIES) {
  const step = await beginStep(db, workflowId, key, token, position, policy);
  if (step.status === 'FAILED') throw new StepFailedError(key, step.value);
  return step;
}

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
  const options = { queue: false, idempotency_key: 'order-42' };

  // Create it; creating again with the same idempotency key returns the same workflow.
  const made = await submitWorkflow(db, 'charge_order', input, options);
  assert.deepEqual([made.created, made.status], [true, 'PENDING']);
  const again = await submitWorkflow(db, 'charge_order', input, options);
  assert.deepEqual(
    [again.workflow_id, again.created, again.status],
    [made.workflow_id, false, 'PENDING'],
  );
  const id = made.workflow_id;

  // Run 1: acquire (token 1). reserve_stock succeeds, charge_card fails, and the runner
  // "crashes" in the middle of send_receipt (begun, no outcome recorded).
  const run1 = await acquireWorkflow(db, id, OWNER);
  assert.deepEqual([run1.status, run1.token, run1.input, run1.steps], ['RUNNING', '1', input, {}]);
  let step = await startStep(db, id, 'reserve_stock', run1.token, 1);
  assert.deepEqual([step.status, step.attempt], ['EXECUTE', 1]);
  await completeStep(db, id, 'reserve_stock', run1.token, { reservation: 'R-7' });
  step = await startStep(db, id, 'charge_card', run1.token, 2);
  assert.equal(step.status, 'EXECUTE');
  const declined = await failStepAttempt(
    db,
    id,
    'charge_card',
    run1.token,
    'card declined',
    false,
  );
  assert.deepEqual([declined.status, declined.attempt, declined.retry_in], ['FAILED', 1, 0]);
  step = await startStep(db, id, 'send_receipt', run1.token, 3);
  assert.deepEqual([step.status, step.attempt], ['EXECUTE', 1]);

  // Another runner cannot take it while runner-1's lease is live: PQ002, holder in DETAIL.
  const busy = await expectSqlstate('PQ002', 'acquire charge_order as runner-2', () =>
    acquireWorkflow(db, id, OTHER),
  );
  assert.equal(JSON.parse(busy.detail).owner, OWNER);

  // Run 2: runner-1 restarts and acquires again at once (token 2). The finished steps come
  // back in one snapshot, with their positions; the RUNNING send_receipt is only listed, with
  // its position, under the reserved key "#open" (a step there must go through begin_step).
  const run2 = await acquireWorkflow(db, id, OWNER);
  assert.deepEqual([run2.status, run2.token], ['RUNNING', '2']);
  assert.deepEqual(run2.steps, {
    reserve_stock: { status: 'SUCCESS', output: { reservation: 'R-7' }, error: null, position: 1 },
    charge_card: {
      status: 'FAILED',
      output: null,
      error: errorObject('card declined'),
      position: 2,
    },
    '#open': { send_receipt: 3 },
  });
  // Replay. The Python client answers these two from the snapshot, without a round trip;
  // begin_step gives the same answers and writes nothing.
  // reserve_stock is SKIPPED with its stored output and does not run again.
  step = await startStep(db, id, 'reserve_stock', run2.token, 1);
  assert.deepEqual([step.status, step.value], ['SKIPPED', { reservation: 'R-7' }]);
  // charge_card failed before: begin_step answers FAILED with the stored error, raised as PQ004.
  const failed = await expectSqlstate('PQ004', 'replay charge_card', () =>
    startStep(db, id, 'charge_card', run2.token, 2),
  );
  assert.equal(failed.stored.message, 'card declined');
  // Run 1 wakes up and tries to record send_receipt with token 1: fenced out, nothing written.
  await expectSqlstate('PQ003', 'late send_receipt of run 1', () =>
    completeStep(db, id, 'send_receipt', run1.token, { sent: 'late' }),
  );
  // send_receipt did not finish: it runs again (attempt 2), then the workflow succeeds.
  step = await startStep(db, id, 'send_receipt', run2.token, 3);
  assert.deepEqual([step.status, step.attempt], ['EXECUTE', 2]);
  await completeStep(db, id, 'send_receipt', run2.token, { sent: true });
  const output = { charged: false, reason: failed.stored.message };
  await completeWorkflow(db, id, run2.token, output);

  // Replay of a finished workflow: no lease, the stored output, nothing runs.
  const done = await acquireWorkflow(db, id, OTHER);
  assert.deepEqual([done.status, done.output, done.lease_expires_at], ['SUCCESS', output, null]);
  return { id, status: done.status, output: done.output };
}

async function shipOrder(db) {
  const input = { order_id: 42, items: ['sku-1', 'sku-2'] };
  const { workflow_id: id } = await submitWorkflow(db, 'ship_order', input, {
    queue: false,
    idempotency_key: 'ship-42',
  });

  // Run 1: pick_items succeeds (an array value), a heartbeat, then book_courier is begun
  // and the runner shuts down gracefully: it releases the lease (the token moves on, to 2).
  const run1 = await acquireWorkflow(db, id, OWNER);
  let step = await startStep(db, id, 'pick_items', run1.token, 1);
  assert.equal(step.status, 'EXECUTE');
  await completeStep(db, id, 'pick_items', run1.token, ['sku-1', 'sku-2']);
  assert.ok((await heartbeat(db, id, run1.token)) instanceof Date);
  step = await startStep(db, id, 'book_courier', run1.token, 2);
  assert.equal(step.status, 'EXECUTE');
  await releaseWorkflow(db, id, run1.token);
  // A released token is fenced out at once.
  await expectSqlstate('PQ003', 'book_courier after release', () =>
    completeStep(db, id, 'book_courier', run1.token, { courier: 'late' }),
  );

  // Run 2 (token 3): pick_items replays; book_courier fails, and so does the workflow.
  const run2 = await acquireWorkflow(db, id, OWNER);
  assert.deepEqual([run2.status, run2.token], ['RUNNING', '3']);
  step = await startStep(db, id, 'pick_items', run2.token, 1);
  assert.deepEqual([step.status, step.value], ['SKIPPED', ['sku-1', 'sku-2']]);
  step = await startStep(db, id, 'book_courier', run2.token, 2);
  assert.deepEqual([step.status, step.attempt], ['EXECUTE', 2]);
  const given = await failStepAttempt(
    db,
    id,
    'book_courier',
    run2.token,
    'no courier available',
    false,
  );
  assert.deepEqual([given.status, given.attempt], ['FAILED', 2]);
  const failure = new NoCourierError(`no courier for order ${input.order_id}`);
  await failWorkflow(db, id, run2.token, failure);

  // Replay of a failed workflow: the stored error, nothing runs.
  const done = await acquireWorkflow(db, id, OWNER);
  assert.deepEqual([done.status, done.error.type], ['FAILED', 'shipping.NoCourierError']);
  return { id, status: done.status, error: { type: done.error.type, message: done.error.message } };
}

async function refundOrder(db) {
  const input = { order_id: 42, amount_cents: 1999 };
  const { workflow_id: id } = await submitWorkflow(db, 'refund_order', input, {
    queue: false,
    idempotency_key: 'refund-42',
  });
  const run = await acquireWorkflow(db, id, OWNER); // token 1

  // refund_card (position 1) may be tried twice. Freeze this session's clock first, so that its
  // retry is not due until the scenario moves the clock on.
  await freezeClock(db);
  let step = await startStep(db, id, 'refund_card', run.token, 1, REFUND_POLICY);
  assert.deepEqual([step.status, step.attempt], ['EXECUTE', 1]);
  // Attempt 1 fails with a retryable error: RETRYING, due in retry_in seconds (the backoff, with
  // jitter: between half of it and all of it).
  const timeout = new GatewayTimeoutError('payment gateway timed out');
  const retrying = await failStepAttempt(db, id, 'refund_card', run.token, timeout, true);
  assert.deepEqual([retrying.status, retrying.attempt], ['RETRYING', 1]);
  assert.ok(retrying.retry_in >= 0.025 && retrying.retry_in <= 0.05, `${retrying.retry_in}`);
  // Too early: WAIT, with the time left. A runner waits that long in process, or for a long
  // wait calls suspend_workflow and lets a worker resume the workflow when it is due.
  step = await startStep(db, id, 'refund_card', run.token, 1, REFUND_POLICY);
  assert.deepEqual([step.status, step.attempt], ['WAIT', 1]);
  assert.ok(Math.abs(step.retry_in - retrying.retry_in) < 1e-5, `${step.retry_in}`);
  // The wait is over: attempt 2 runs and succeeds.
  await advanceClock(db, REFUND_POLICY.maxBackoffSeconds);
  step = await startStep(db, id, 'refund_card', run.token, 1, REFUND_POLICY);
  assert.deepEqual([step.status, step.attempt], ['EXECUTE', 2]);
  await completeStep(db, id, 'refund_card', run.token, { refund: 'RF-1' });
  // Back to the real clock, which may be a few milliseconds behind: only tokens fence writes.
  await resetClock(db);

  // The replay guard: code that now calls another step at position 1, where this run recorded
  // refund_card, is not the code that made the run. PQ010; nothing is written.
  const changed = await expectSqlstate('PQ010', 'refund_wallet at position 1', () =>
    startStep(db, id, 'refund_wallet', run.token, 1),
  );
  assert.deepEqual(JSON.parse(changed.detail), {
    position: 1,
    called: 'refund_wallet',
    recorded: 'refund_card',
  });

  step = await startStep(db, id, 'notify_customer', run.token, 2);
  assert.deepEqual([step.status, step.attempt], ['EXECUTE', 1]);
  await completeStep(db, id, 'notify_customer', run.token, { notified: true });
  const output = { refunded: input.amount_cents, refund: 'RF-1' };
  await completeWorkflow(db, id, run.token, output);

  // The history: every attempt of every step, in run order.
  const attempts = await listStepAttempts(db, id);
  assert.deepEqual(
    attempts.map((a) => [a.step_key, a.step_position, a.attempt, a.status, a.error?.type ?? null]),
    [
      ['refund_card', 1, 1, 'FAILED', 'payments.GatewayTimeoutError'],
      ['refund_card', 1, 2, 'SUCCESS', null],
      ['notify_customer', 2, 1, 'SUCCESS', null],
    ],
  );
  return { id, status: 'SUCCESS', output };
}

async function main() {
  const dsn = process.argv[2] ?? process.env.PGQRS_DSN;
  if (!dsn) throw new Error('usage: node scenario.mjs DSN (or set PGQRS_DSN)');
  const db = new pg.Client({ connectionString: dsn });
  await db.connect();
  try {
    const workflows = {
      charge_order: await chargeOrder(db),
      ship_order: await shipOrder(db),
      refund_order: await refundOrder(db),
    };
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
