// @ts-check
'use strict';
/**
 * The living demo (make demo): the launcher (demo/run.js) starts the real tandem demo on a temp
 * database with its traffic; calls get answered by simulated operators, the visitor's two
 * operators are never logged in by the traffic, anna's browser phone logs in to the emulated
 * Web SDK with a key Tandem signs and answers a call that rings there, and a second run on the
 * same database starts again (reused, nothing doubled). About a minute.
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
const { Browser } = require('./browser.js');
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

/** The launcher's report. @param {string} file */
const r0 = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** @param {string} url */
function clients(url) {
  const transport = createConnectTransport({ baseUrl: url, httpVersion: '1.1' });
  return { admin: createClient(AdminService, transport), analytics: createClient(AnalyticsService, transport), presence: createClient(OperatorPresenceService, transport) };
}

/**
 * anna as the visitor plays her: logged in to the operator app (her presence stream open) and
 * Ready, her browser phone logged in to the emulated Web SDK with a key Tandem signed.
 * @param {string} url
 */
async function annaInTheBrowser(url) {
  const anon = createClient(OperatorPresenceService, createConnectTransport({ baseUrl: url, httpVersion: '1.1' }));
  const { token } = await anon.logIn({ name: 'anna', password: 'demo-password' });
  const me = { headers: { Authorization: `Bearer ${token}` } };
  const ctrl = new AbortController();
  /** @type {() => void} */
  let snapshot = () => {};
  const first = new Promise((resolve) => (snapshot = () => resolve(undefined)));
  const stream = (async () => {
    try {
      for await (const res of anon.watchOperator({}, Object.assign({ signal: ctrl.signal }, me))) if (res.event.case === 'snapshot') snapshot();
    } catch {
      // ended by the test
    }
  })();
  await first;
  const phone = await anon.getSoftphone({}, me);
  assert.equal(phone.username, 'anna@demo.tandem.voximplant.com');
  assert.match(phone.emulatorUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  const browser = new Browser(phone.emulatorUrl);
  await browser.connect();
  const login = await browser.logIn('anna', '', async (key) => (await anon.signSoftphoneKey({ key }, me)).hash);
  assert.equal(login.result, true, 'the endpoint accepted the hash Tandem signed');
  await anon.goReady({}, me);
  return {
    browser,
    async close() {
      browser.close();
      ctrl.abort();
      await stream;
    },
  };
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
    const first = launch(['--db', db, '--reset', '--addr', `127.0.0.1:${port}`, '--duration', '30', '--rate-scale', '3', '--talk', '4-10', '--transfer-share', '1', '--report', report]);
    try {
      const c = clients(url);
      // Calls answered, by Tandem's own figures: the operators', counted at the answer (a queue
      // counts a call when it ends, and with every call transferred few end within the run).
      const answered = await until(
        async () => {
          const res = await c.analytics.getOperatorStats({}, ADMIN);
          const n = res.operators.reduce((a, o) => a + o.callsAnswered, 0);
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

      const code = await Promise.race([first.code, new Promise((r) => setTimeout(() => r('timeout'), 30000 + WAIT).unref())]);
      assert.equal(code, 0, first.out);
    } catch (err) {
      // What the launcher and the server said is the story of a failure: keep its end.
      if (err instanceof Error) err.message += `\n--- the launcher's output (its end) ---\n${first.out.slice(-6000)}`;
      throw err;
    } finally {
      first.child.kill('SIGKILL');
    }
    assert.match(first.out, /Wallboard: +http:\/\/127\.0\.0\.1:\d+\/supervisor +sign in as olga \/ demo-password \(supervisor account, with her browser\s+phone\), or with an access key: demo-admin-key \(admin\)/);
    assert.match(first.out, /log in as anna or boris \/ demo-password/);
    assert.match(first.out, /anna answers in the browser \(Voximplant user anna, password demo-softphone\),\s+over the emulated Voximplant Web SDK at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(first.out, /demo \d+:\d+ busy hour +\| calls \d+ placed( \(\d+ through the menu\))?, \d+ answered/);
    assert.match(first.out, /first call on the wallboard [\d.]+ s/);
    assert.match(first.out, /demo: stopped/);
    const r = r0(report);
    assert.ok(r.firstCallOnWallboardMs > 0 && r.firstCallOnWallboardMs < WAIT, `first call after ${r.firstCallOnWallboardMs} ms`);
    assert.ok(r.simulatedOperators.length >= 10 && !r.simulatedOperators.includes('anna') && !r.simulatedOperators.includes('boris'), r.simulatedOperators.join());
    assert.ok(r.calls.answered >= 3, JSON.stringify(r.calls));
    // Every call a simulated operator answers is transferred here (blind, to a colleague or a
    // queue; once each; the demo's default is one in twenty), through the generated client: at
    // least one in 30 s whatever the draw (at three in ten, one run in ten saw none).
    assert.ok(r.calls.transfers >= 1, JSON.stringify(r.calls));
    assert.match(first.out, /demo: \w+ transfers a call to /);
    // In wrap-up they set the call's disposition (sales requires one, support offers some).
    assert.ok(r.calls.dispositions >= 1, JSON.stringify(r.calls));
    // Some callers dial the main line and choose sales or support in its IVR menu.
    assert.ok(r.calls.viaMenu >= 1, JSON.stringify(r.calls));
    // Every caller was hung up at the stop: nothing is left connected or waiting in Tandem.
    assert.equal(r.calls.ended, r.calls.placed, JSON.stringify(r.calls));

    // Again on the same database, without --reset: the same call center, calls flow again. Two
    // simulated operators only, so calls wait and the visitor as anna gets one.
    const report2 = path.join(dir, 'report2.json');
    const second = launch(['--db', db, '--addr', `127.0.0.1:${port}`, '--duration', '40', '--sims', '2', '--rate-scale', '2', '--talk', '4-10', '--report', report2]);
    try {
      const c = clients(url);
      const ops = await until(async () => (await c.admin.listOperators({}, ADMIN)).operators, WAIT, 'the second run');
      assert.equal(ops.length, 20);
      // The visitor as anna: her phone is the browser; a call rings there and she answers it.
      const anna = await annaInTheBrowser(url);
      const annaId = /** @type {string} */ (ops.find((o) => o.name === 'anna')?.operatorId);
      try {
        // A caller may give up just as it rings (the demo's callers lose patience): then the
        // next call rings.
        for (let answered = false; !answered; ) {
          const incoming = await anna.browser.next('incoming', 3 * WAIT);
          assert.ok(incoming.headers['X-Tandem-Offer-Id'], JSON.stringify(incoming));
          const res = await anna.browser.post('/v1/call', { callId: incoming.callId, action: 'answer' });
          assert.ok(res.status === 200 || res.status === 409, JSON.stringify(res));
          answered = res.status === 200;
        }
        await until(
          async () => {
            const st = await c.analytics.getOperatorStats({ operatorId: annaId }, ADMIN);
            return (st.operators[0]?.callsAnswered ?? 0) >= 1;
          },
          WAIT,
          'a call anna answered in the browser, by Tandem\'s figures',
        );
      } finally {
        await anna.close();
      }
      const code = await Promise.race([second.code, new Promise((r) => setTimeout(() => r('timeout'), 40000 + WAIT).unref())]);
      assert.equal(code, 0, second.out);
    } catch (err) {
      if (err instanceof Error) err.message += `\n--- the second run's output (its end) ---\n${second.out.slice(-6000)}`;
      throw err;
    } finally {
      second.child.kill('SIGKILL');
    }
    assert.doesNotMatch(second.out, /new database/);
    assert.ok(r0(report2).humanCalls >= 1, 'calls went to the visitor\'s operators');
    assert.match(second.out, /first call on the wallboard/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
