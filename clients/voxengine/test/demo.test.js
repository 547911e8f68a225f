// @ts-check
'use strict';
/**
 * The living demo (make demo): the launcher (demo/run.js) starts the real tandem demo on a temp
 * database with its traffic; calls get answered by simulated operators, the visitor's two
 * operators are never logged in by the traffic, and a second run on the same database starts
 * again (reused, nothing doubled). About 40 s.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { createClient } = require('@connectrpc/connect');
const { createConnectTransport } = require('@connectrpc/connect-node');
const { tandemBinary, WAIT } = require('./harness.js');
const { AdminService } = require('../build/gen/tandem/admin/v1/admin_pb.js');
const { AnalyticsService } = require('../build/gen/tandem/analytics/v1/analytics_pb.js');
const { OperatorPresenceService } = require('../build/gen/tandem/operatorpresence/v1/operatorpresence_pb.js');
const { OperatorState } = require('../build/gen/tandem/common/v1/common_pb.js');

const RUN = path.join(__dirname, '..', 'demo', 'run.js');
const ADMIN = { headers: { Authorization: 'Bearer demo-admin-key' } };

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = /** @type {net.AddressInfo} */ (s.address());
      s.close(() => resolve(a.port));
    });
  });
}

/** The launcher as make demo runs it, with its output kept. @param {string[]} args */
function launch(args) {
  const child = spawn(process.execPath, [RUN, '--bin', tandemBinary(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { child, out: '', code: /** @type {Promise<number | null>} */ (new Promise((resolve) => child.once('exit', (code) => resolve(code)))) };
  /** @type {import('node:stream').Readable} */ (child.stdout).on('data', (b) => (run.out += b.toString('utf8')));
  /** @type {import('node:stream').Readable} */ (child.stderr).on('data', (b) => (run.out += b.toString('utf8')));
  process.on('exit', () => child.kill('SIGKILL'));
  return run;
}

/** @template T @param {() => Promise<T | undefined>} fn @param {number} ms @param {string} what @returns {Promise<T>} */
async function until(fn, ms, what) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms (${last || 'not yet'})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** @param {string} url */
function clients(url) {
  const transport = createConnectTransport({ baseUrl: url, httpVersion: '1.1' });
  return { admin: createClient(AdminService, transport), analytics: createClient(AnalyticsService, transport), presence: createClient(OperatorPresenceService, transport) };
}

/** @param {ReturnType<typeof clients>} c @param {string} operatorId */
async function stateOf(c, operatorId) {
  const ctrl = new AbortController();
  try {
    for await (const res of c.presence.watchOperator({ operatorId }, Object.assign({ signal: ctrl.signal }, ADMIN))) {
      if (res.event.case === 'snapshot') return res.event.value.state;
    }
    throw new Error('no snapshot');
  } finally {
    ctrl.abort();
  }
}

test('make demo: calls flow through the real scenario, anna and boris are left to the visitor, a second run reuses the database', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-demo-'));
  try {
    const db = path.join(dir, 'demo.db');
    const report = path.join(dir, 'report.json');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = launch(['--db', db, '--reset', '--addr', `127.0.0.1:${port}`, '--duration', '25', '--rate-scale', '2', '--talk', '4-10', '--transfer-share', '0.3', '--report', report]);
    try {
      const c = clients(url);
      // Calls answered, by Tandem's own figures.
      const answered = await until(
        async () => {
          const res = await c.analytics.getQueueStats({}, ADMIN);
          const n = res.queues.reduce((a, q) => a + q.callsAnswered, 0);
          return n >= 3 ? n : undefined;
        },
        2 * WAIT,
        'three answered calls',
      );
      assert.ok(answered >= 3);
      const ops = (await c.admin.listOperators({}, ADMIN)).operators;
      assert.ok(ops.length >= 20, `${ops.length} operators`);
      /** @type {Record<string, number>} */
      const states = {};
      for (const o of ops) states[o.name] = await stateOf(c, o.operatorId);
      // The visitor's operators: nobody logged them in.
      assert.equal(states.anna, OperatorState.OFFLINE, 'anna');
      assert.equal(states.boris, OperatorState.OFFLINE, 'boris');
      // The simulated ones work; the absent ones stay home.
      const working = Object.entries(states).filter(([, s]) => s !== OperatorState.OFFLINE);
      assert.ok(working.length >= 10, `working: ${JSON.stringify(states)}`);
      assert.equal(states.sofia, OperatorState.OFFLINE, 'sofia is on vacation');
      const code = await Promise.race([first.code, new Promise((r) => setTimeout(() => r('timeout'), 25000 + WAIT).unref())]);
      assert.equal(code, 0, first.out);
    } catch (err) {
      // What the launcher and the server said is the story of a failure: keep its end.
      if (err instanceof Error) err.message += `\n--- the launcher's output (its end) ---\n${first.out.slice(-6000)}`;
      throw err;
    } finally {
      first.child.kill('SIGKILL');
    }
    assert.match(first.out, /Wallboard: +http:\/\/127\.0\.0\.1:\d+\/supervisor +access key: demo-admin-key/);
    assert.match(first.out, /log in as anna or boris \/ demo-password/);
    assert.match(first.out, /demo \d+:\d+ busy hour +\| calls \d+ placed, \d+ answered/);
    assert.match(first.out, /first call on the wallboard [\d.]+ s/);
    assert.match(first.out, /demo: stopped/);
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    assert.ok(r.firstCallOnWallboardMs > 0 && r.firstCallOnWallboardMs < WAIT, `first call after ${r.firstCallOnWallboardMs} ms`);
    assert.ok(r.simulatedOperators.length >= 10 && !r.simulatedOperators.includes('anna') && !r.simulatedOperators.includes('boris'), r.simulatedOperators.join());
    assert.ok(r.calls.answered >= 3, JSON.stringify(r.calls));
    // Three in ten answered calls are transferred (blind, to a colleague or a queue; once each)
    // by the simulated operators, through the generated client: at least one in 25 s.
    assert.ok(r.calls.transfers >= 1, JSON.stringify(r.calls));
    assert.match(first.out, /demo: \w+ transfers a call to /);
    // Every caller was hung up at the stop: nothing is left connected or waiting in Tandem.
    assert.equal(r.calls.ended, r.calls.placed, JSON.stringify(r.calls));

    // Again on the same database, without --reset: the same call center, calls flow again.
    const second = launch(['--db', db, '--addr', `127.0.0.1:${port}`, '--duration', '8', '--rate-scale', '2', '--talk', '4-10']);
    try {
      const c = clients(url);
      const ops = await until(async () => (await c.admin.listOperators({}, ADMIN)).operators, WAIT, 'the second run');
      assert.equal(ops.length, 20);
      const code = await Promise.race([second.code, new Promise((r) => setTimeout(() => r('timeout'), 8000 + WAIT).unref())]);
      assert.equal(code, 0, second.out);
    } finally {
      second.child.kill('SIGKILL');
    }
    assert.doesNotMatch(second.out, /new database/);
    assert.match(second.out, /first call on the wallboard/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
