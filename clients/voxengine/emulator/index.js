#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The emulator as a tool: places emulated calls, each running the real scenario, against a
 * running Tandem (or the built-in echo baseline) and prints what happened.
 *
 *   node clients/voxengine/emulator --calls 50 --rate 5/s --backend http://127.0.0.1:8080 \
 *        --secret demo-cloud-secret [--operators 20 --admin-key demo-admin-key] [...]
 *
 * Run with --help for every flag.
 */
const { parseArgs } = require('node:util');
const path = require('node:path');
const { CALLEES } = require('./voxengine.js');
const { runLoad } = require('./load.js');
const { startEchoBackend } = require('./echo-backend.js');

const HELP = `Usage: node clients/voxengine/emulator [flags]

Places emulated calls that run the real scenario (clients/voxengine/common.js, then
scenario.js, in one space) against a backend, and prints a summary.

Calls
  --backend URL          Tandem's base URL (default http://127.0.0.1:8080)
  --secret S             the cloud secret (default $TANDEM_CLOUD_SECRET, else demo-cloud-secret)
  --calls N              how many calls (default 10)
  --rate R/s             arrival rate, e.g. 5/s or 120/m (default 5/s)
  --dialed NUMBER        the number callers dial (default +18005550100, the demo queue)
  --caller-hangup S      every caller hangs up S s after arriving (abandons if still waiting)
  --caller-talk S        every caller hangs up S s after reaching an operator
  --caller-answer TEXT   what every caller says to a question (ask), e.g. yes; default: silence

The operators' phones (the emulator plays them)
  --callee SPEC          answer | busy | noanswer | unavailable | decline | unreachable, or a
                         mix like answer=80,busy=10,noanswer=10 (percent; default answer)
  --answer-after S       ring time before an answering phone picks up (default 2)
  --talk S               an operator hangs up after S s of talk (default 5)

The operators' apps (optional; otherwise log operators in yourself, e.g. make demo + the web app)
  --operators N          create (if missing) and log in N operators load-op-1..N through the
                         Admin API, Ready, streams open; they press Ready again after wrap-up
                         and after a miss. Needs --admin-key. Needs npm run build (generated client).
  --admin-key K          (default $TANDEM_ADMIN_KEY)
  --queue ID             the queue they serve (default support; created with --dialed if missing)
  --password P           their password (default load-password)

Other
  --echo                 run against the built-in echo backend instead of Tandem (a baseline)
  --config JSON          more scenario configuration (merged into the stored tandem.config)
  --time-scale X         run the scenario's timers and the scripted parties X times faster
  --max-time S           give up on calls still running after S s (default calls/rate + 120)
  --scenario FILE        a scenario file of the inbound rule; repeat the flag for each, in the
                         order the rule runs them, one space for all (default
                         clients/voxengine/common.js, then clients/voxengine/scenario.js)
  --json                 print the summary as JSON
  --quiet                no progress lines
  -h, --help
`;

/** @param {string} v */
function rate(v) {
  const m = /^([0-9.]+)\s*(?:\/\s*(s|m|min))?$/.exec(v.trim());
  if (!m) throw new Error(`--rate: want e.g. 5/s or 120/m, got ${v}`);
  const n = Number(m[1]);
  return m[2] === 'm' || m[2] === 'min' ? n / 60 : n;
}

/**
 * A phone behaviour from a --callee spec.
 * @param {string} spec @param {number} answerAfter @param {number} talk
 * @returns {(target: string) => import('./voxengine.js').CalleeScript}
 */
function calleeFrom(spec, answerAfter, talk) {
  /** @param {string} name @returns {import('./voxengine.js').CalleeScript} */
  const one = (name) => {
    switch (name) {
      case 'answer':
        return CALLEES.answer(answerAfter, talk);
      case 'busy':
        return CALLEES.busy();
      case 'noanswer':
        return CALLEES.noanswer();
      case 'unavailable':
        return CALLEES.unavailable();
      case 'decline':
        return CALLEES.decline();
      case 'unreachable':
        return CALLEES.unreachable();
    }
    throw new Error(`--callee: unknown behaviour ${name}`);
  };
  if (!spec.includes('=')) {
    const s = one(spec);
    return () => s;
  }
  const parts = spec.split(',').map((p) => {
    const [name, pct] = p.split('=');
    one(name);
    return { name, pct: Number(pct) };
  });
  const total = parts.reduce((a, p) => a + p.pct, 0);
  return () => {
    let r = Math.random() * total;
    for (const p of parts) {
      if ((r -= p.pct) < 0) return one(p.name);
    }
    return one(parts[parts.length - 1].name);
  };
}

/**
 * Creates (if missing) and logs in n operators; returns what closes them.
 * @param {{ backend: string, adminKey: string, n: number, queue: string, dialed: string, password: string, log: (s: string) => void }} o
 */
async function startOperators(o) {
  /** @type {typeof import('./operators.js')} */
  let ops;
  try {
    ops = require('./operators.js');
  } catch (err) {
    throw new Error(`--operators needs the generated client compiled: run "npm ci && npm run build" in clients/voxengine (${err})`);
  }
  const { Code, ConnectError } = require('@connectrpc/connect');
  const tandem = new ops.Tandem(o.backend, { adminKey: o.adminKey });
  /** @param {unknown} err */
  const exists = (err) => err instanceof ConnectError && err.code === Code.AlreadyExists;
  try {
    await tandem.admin.getQueue({ queueId: o.queue }, tandem.asAdmin());
  } catch (err) {
    if (!(err instanceof ConnectError && err.code === Code.NotFound)) throw err;
    await tandem.createQueue({ queueId: o.queue, dialedNumbers: [o.dialed], offerTimeoutS: 20, wrapUpS: 0 });
    o.log(`created queue ${o.queue} for ${o.dialed}`);
  }
  const names = Array.from({ length: o.n }, (_, i) => `load-op-${i + 1}`);
  // bcrypt makes creating and logging in slow: a few at a time.
  const pool = async (/** @type {(name: string) => Promise<void>} */ fn) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < names.length) await fn(names[next++]);
      }),
    );
  };
  await pool(async (name) => {
    try {
      await tandem.createOperator({ name, password: o.password, queues: [o.queue] });
    } catch (err) {
      if (!exists(err)) throw err;
    }
  });
  await pool(async (name) => {
    const app = await tandem.logIn(name, o.password, { autoReady: true });
    await app.ready();
  });
  o.log(`${names.length} operators ready`);
  return () => tandem.close();
}

async function main() {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'http://127.0.0.1:8080' },
      secret: { type: 'string' },
      calls: { type: 'string', default: '10' },
      rate: { type: 'string', default: '5/s' },
      dialed: { type: 'string', default: '+18005550100' },
      'caller-hangup': { type: 'string' },
      'caller-talk': { type: 'string' },
      'caller-answer': { type: 'string' },
      callee: { type: 'string', default: 'answer' },
      'answer-after': { type: 'string', default: '2' },
      talk: { type: 'string', default: '5' },
      operators: { type: 'string' },
      'admin-key': { type: 'string' },
      queue: { type: 'string', default: 'support' },
      password: { type: 'string', default: 'load-password' },
      echo: { type: 'boolean', default: false },
      config: { type: 'string' },
      'time-scale': { type: 'string', default: '1' },
      'max-time': { type: 'string' },
      scenario: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const log = (/** @type {string} */ s) => {
    if (!values.quiet) process.stderr.write(`emulator: ${s}\n`);
  };
  const secret = values.secret || process.env.TANDEM_CLOUD_SECRET || 'demo-cloud-secret';
  const calls = Number(values.calls);
  if (!(calls > 0)) throw new Error('--calls: want a positive number');
  let backend = String(values.backend).replace(/\/+$/, '');
  /** @type {Array<() => unknown>} */
  const cleanup = [];
  try {
    if (values.echo) {
      const echo = await startEchoBackend({ secret });
      backend = echo.url;
      cleanup.push(() => echo.close());
      log(`echo backend at ${backend}`);
    } else if (values.operators) {
      const adminKey = values['admin-key'] || process.env.TANDEM_ADMIN_KEY || '';
      if (!adminKey) throw new Error('--operators needs --admin-key (or TANDEM_ADMIN_KEY)');
      cleanup.push(await startOperators({ backend, adminKey, n: Number(values.operators), queue: String(values.queue), dialed: String(values.dialed), password: String(values.password), log }));
    }
    /** @type {import('./voxengine.js').CallerScript} */
    const caller = {};
    if (values['caller-hangup']) caller.hangupAfterS = Number(values['caller-hangup']);
    if (values['caller-talk']) caller.hangupAfterBridgeS = Number(values['caller-talk']);
    if (values['caller-answer']) caller.answers = Array.from({ length: 10 }, () => ({ text: String(values['caller-answer']) }));
    const summary = await runLoad({
      backend,
      secret,
      calls,
      rate: rate(String(values.rate)),
      dialed: values.dialed,
      callee: calleeFrom(String(values.callee), Number(values['answer-after']), Number(values.talk)),
      caller,
      config: values.config ? JSON.parse(values.config) : undefined,
      timeScale: Number(values['time-scale']),
      maxTimeS: values['max-time'] ? Number(values['max-time']) : undefined,
      scenarios: values.scenario ? values.scenario.map((f) => path.resolve(f)) : undefined,
      progress: log,
    });
    if (values.json) {
      process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    } else {
      const f = (/** @type {{ p50: number, p95: number, p99: number }} */ p, /** @type {number} */ d = 1) => `p50 ${p.p50.toFixed(d)}  p95 ${p.p95.toFixed(d)}  p99 ${p.p99.toFixed(d)}`;
      process.stdout.write(
        [
          `calls placed     ${summary.placed}`,
          `ok               ${summary.ok}`,
          `failed           ${summary.failed}${summary.failed ? '  ' + JSON.stringify(summary.failures) : ''}`,
          `wall time        ${summary.wallS.toFixed(1)} s`,
          `calls/s          ${summary.callsPerS.toFixed(2)}`,
          `peak concurrent  ${summary.peakConcurrent}`,
          `intake ms        ${f(summary.intakeMs)}`,
          `event ms         ${f(summary.eventMs)}`,
          `answered after s ${f(summary.answerS, 2)}`,
          `requests         ${summary.requests} (${summary.retries} retries)`,
        ].join('\n') + '\n',
      );
    }
    if (summary.failed > 0) process.exitCode = 1;
  } finally {
    for (const c of cleanup.reverse()) await c();
  }
}

if (require.main === module) {
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`emulator: unhandled rejection: ${err}\n`);
  });
  main().catch((err) => {
    process.stderr.write(`emulator: ${err && err.message ? err.message : err}\n`);
    process.exit(2);
  });
}

module.exports = { calleeFrom, rate, startOperators };
