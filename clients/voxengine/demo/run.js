#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The living demo in one command (what `make demo` runs after building):
 *
 *   node clients/voxengine/demo/run.js [--reset] [--addr :8080] [--db tandem-demo.db] [...]
 *
 * It starts the emulated Voximplant Web SDK endpoint (emulator/websdk.js: anna's browser phone
 * logs in to it and rings there), then `tandem demo` (the real server on its demo database,
 * told of the endpoint with --voximplant-emulator), waits until it serves, then starts the
 * traffic (demo/traffic.js): simulated operators and callers through the real scenario in the
 * emulator. Ctrl-C stops the traffic first (the callers hang up, the operators
 * log out) and then the server, so the database is left with no call hanging.
 *
 * Why Node starts Go and not the other way round: the traffic needs Node (the scenario is
 * JavaScript), the server does not; `tandem demo` stays a plain server anyone can run alone,
 * and this launcher is the one place that knows about both. The server runs in its own process
 * group, so the terminal's Ctrl-C reaches only this launcher, which stops things in order.
 *
 * It reports the time from `make demo` (TANDEM_DEMO_T0, ms since the epoch, set by the
 * Makefile before building; else this launcher's start) to the first call on the wallboard.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { WebSdk } = require('../emulator/websdk.js');
const { generateServiceAccountKey } = require('../emulator/platform-api.js');
const { CALLBACK_SCENARIOS } = require('../emulator/voxengine.js');

const VOX = path.resolve(__dirname, '..');
/**
 * The Voximplant users in the emulated Web SDK: anna's (the operator app) and olga's (the
 * supervisor key's browser phone), with the password `tandem demo` keeps their digests of
 * (demoPhonePassword in server/cmd/tandem/demo.go), and the application it names.
 */
const PHONE_USERS = { anna: 'demo-softphone', olga: 'demo-softphone' };
const VOX_APP = 'demo.tandem.voximplant.com';
/** The emulated Voximplant account and callback rule Tandem starts callbacks with. */
const DEMO_ACCOUNT = 1000001;
const CALLBACK_RULE = '2000001';
const REPO = path.resolve(VOX, '..', '..');

const HELP = `Usage: node clients/voxengine/demo/run.js [flags]

Runs tandem demo and the demo's traffic together until Ctrl-C (make demo does this).

  --bin FILE          the tandem binary (default $TANDEM_BIN, else bin/tandem)
  --db FILE           the demo database (default tandem-demo.db); reused, missing parts added
  --reset             start from a new database
  --addr ADDR         where tandem listens (default :8080)
  --log FILE          tandem's own log (default: the database's name with .log)
  --humans a,b        operators the traffic leaves to you (default anna,boris)
  --sims N            simulate at most N operators (default all the others)
  --rate-scale X      multiply the call rates (default 1)
  --talk MIN-MAX      operators' talk time, seconds (default 15-90)
  --transfer-share X  share of answered calls the simulated operators transfer (default 0.05)
  --duration S        stop after S seconds (default: run until Ctrl-C)
  --report FILE       write timings and counts as JSON at the end
  --quiet             no progress lines
  -h, --help
`;

async function main() {
  const t0Env = Number(process.env.TANDEM_DEMO_T0);
  const launchedAt = Date.now();
  const t0 = t0Env > 0 && t0Env <= launchedAt ? t0Env : launchedAt;
  const { values } = parseArgs({
    options: {
      bin: { type: 'string' },
      db: { type: 'string', default: 'tandem-demo.db' },
      reset: { type: 'boolean', default: false },
      addr: { type: 'string', default: ':8080' },
      log: { type: 'string' },
      humans: { type: 'string', default: 'anna,boris' },
      sims: { type: 'string' },
      'rate-scale': { type: 'string', default: '1' },
      talk: { type: 'string', default: '15-90' },
      'transfer-share': { type: 'string', default: '0.05' },
      duration: { type: 'string' },
      report: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const say = (/** @type {string} */ s) => process.stdout.write(`${s}\n`);
  const fail = (/** @type {string} */ s) => {
    process.stderr.write(`demo: ${s}\n`);
    process.exit(1);
  };
  const bin = path.resolve(values.bin || process.env.TANDEM_BIN || path.join(REPO, 'bin', 'tandem'));
  if (!fs.existsSync(bin)) fail(`no tandem binary at ${bin}: run make demo (or make build) at the repository root`);
  if (!fs.existsSync(path.join(VOX, 'build', 'gen', 'tandem', 'admin', 'v1', 'admin_pb.js')) || !fs.existsSync(path.join(VOX, 'node_modules', '@connectrpc', 'connect-node'))) {
    fail('the generated client is not built: run "npm ci && npm run build:gen" in clients/voxengine (make demo does)');
  }
  const talk = String(values.talk).split('-').map(Number);
  if (talk.length !== 2 || !(talk[0] > 0) || !(talk[1] >= talk[0])) fail(`--talk: want MIN-MAX seconds, got ${values.talk}`);
  const transferShare = Number(values['transfer-share']);
  if (!(transferShare >= 0 && transferShare <= 1)) fail(`--transfer-share: want 0..1, got ${values['transfer-share']}`);
  const duration = values.duration !== undefined ? Number(values.duration) : 0;
  if (!(duration >= 0)) fail(`--duration: want seconds, got ${values.duration}`);
  const db = path.resolve(/** @type {string} */ (values.db));
  const logFile = path.resolve(values.log || db.replace(/\.db$/, '') + '.log');

  // anna's browser phone talks to this endpoint; the emulator rings her there.
  const webSdk = await new WebSdk({ users: PHONE_USERS }).start();

  // The server. Its stdout (the banner with URLs and logins) goes to ours; its JSON log to a
  // file, errors also to our stderr.
  const args = ['demo', '--addr', /** @type {string} */ (values.addr), '--db', db, '--voximplant-app', VOX_APP, '--voximplant-emulator', webSdk.url];
  // Callbacks: Tandem starts callback.js through the emulator's StartScenarios, on a port chosen
  // now (the traffic's emulator listens there once Tandem is up), with a key made for this run.
  const callbackKey = generateServiceAccountKey(DEMO_ACCOUNT, 'demo-key');
  const keyDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'tandem-demo-key-'));
  const keyFile = path.join(keyDir, 'voximplant-key.json');
  fs.writeFileSync(keyFile, callbackKey.keyFile, { mode: 0o600 });
  process.on('exit', () => fs.rmSync(keyDir, { recursive: true, force: true }));
  const callbacksPort = await freePort();
  args.push('--voximplant-account-id', String(DEMO_ACCOUNT), '--voximplant-key-file', keyFile, '--callback-rule-id', CALLBACK_RULE, '--voximplant-api-url', `http://127.0.0.1:${callbacksPort}/platform_api/`);
  if (values.reset) args.push('--reset');
  const log = fs.createWriteStream(logFile); // this run's only: a day of demo is a few tens of MB
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let childExited = false;
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      childExited = true;
      resolve(signal || code);
    }),
  );
  process.on('exit', () => {
    if (!childExited) child.kill('SIGKILL');
  });
  /** @type {import('node:stream').Readable} */ (child.stdout).pipe(process.stdout, { end: false });
  /** @type {string[]} */
  const tail = [];
  /** @type {(url: string) => void} */
  let serving = () => {};
  const up = new Promise((resolve) => (serving = resolve));
  let buf = '';
  /** @type {import('node:stream').Readable} */ (child.stderr).on('data', (/** @type {Buffer} */ chunk) => {
    log.write(chunk);
    buf += chunk.toString('utf8');
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      tail.push(line);
      if (tail.length > 30) tail.shift();
      /** @type {any} */
      let j = null;
      try {
        j = JSON.parse(line);
      } catch {
        if (line.trim()) process.stderr.write(line.startsWith('tandem: ') ? `${line}\n` : `tandem: ${line}\n`);
        continue;
      }
      if (j.msg === 'tandem serving' && j.url) serving(j.url);
      else if (j.level === 'ERROR') process.stderr.write(`tandem: ${j.msg}${j.err ? `: ${j.err}` : ''}\n`);
    }
  });
  const rel = (/** @type {string} */ p) => (path.relative(process.cwd(), p).startsWith('..') ? p : path.relative(process.cwd(), p));
  say(`demo: starting tandem demo (${rel(bin)}), database ${rel(db)}${values.reset ? ' (new)' : ''}, its log in ${rel(logFile)}`);

  /** @type {import('./traffic.js').Traffic | null} */
  let traffic = null;
  let stopping = false;
  let serverUpAt = 0;
  let firstCallAt = 0;
  /** @type {NodeJS.Timeout | null} */
  let durationTimer = null;

  const report = () => {
    if (!values.report) return;
    const st = traffic ? traffic.stats : null;
    const out = {
      makeDemoStartedAt: t0,
      launchedAt,
      serverUpMs: serverUpAt ? serverUpAt - t0 : null,
      firstCallOnWallboardMs: firstCallAt ? firstCallAt - t0 : null,
      firstCallFromLaunchMs: firstCallAt ? firstCallAt - launchedAt : null,
      simulatedOperators: traffic ? traffic.sims.map((o) => o.name) : [],
      humans: String(values.humans).split(','),
      humanCalls: st ? st.humanCalls : 0,
      calls: st,
    };
    fs.mkdirSync(path.dirname(path.resolve(values.report)), { recursive: true });
    fs.writeFileSync(values.report, JSON.stringify(out, null, 2) + '\n');
  };

  /** @param {number} code */
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    if (durationTimer) clearTimeout(durationTimer);
    if (traffic) {
      const n = traffic.live.length;
      say(`demo: stopping: ${n} ${n === 1 ? 'caller hangs' : 'callers hang'} up, the simulated operators log out…`);
      await traffic.stop().catch((err) => process.stderr.write(`demo: stopping the traffic: ${err}\n`));
    }
    report();
    await webSdk.close();
    if (!childExited) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(force);
    }
    log.end();
    say('demo: stopped');
    process.exit(code);
  };
  let interrupts = 0;
  // SIGHUP too: a closed terminal must not leave the server (in its own group) running.
  for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(sig, () => {
      if (++interrupts > 1) {
        // Asked twice: do not wait for anyone.
        if (!childExited) child.kill('SIGKILL');
        process.exit(130);
      }
      stop(0);
    });
  }
  exited.then((how) => {
    if (stopping) return;
    process.stderr.write(`demo: tandem exited (${how}) before it was stopped; its last lines:\n${tail.join('\n')}\n`);
    if (/address already in use/.test(tail.join('\n'))) process.stderr.write(`demo: another program listens on ${values.addr}; try --addr :8081 (make demo DEMO_ARGS='--addr :8081')\n`);
    stop(1);
  });

  (async () => {
    const startTimer = setTimeout(() => {
      if (!serverUpAt) fail(`tandem did not start within 60 s; see ${logFile}`);
    }, 60000);
    const url = /** @type {string} */ (await up);
    clearTimeout(startTimer);
    serverUpAt = Date.now();
    // Listening on every address: talk to it over loopback.
    const backend = url.replace('://[::]:', '://127.0.0.1:').replace('://0.0.0.0:', '://127.0.0.1:');
    const { runTraffic } = require('./traffic.js');
    try {
      traffic = await runTraffic({
        backend,
        humans: String(values.humans).split(',').filter(Boolean),
        sims: values.sims !== undefined ? Number(values.sims) : undefined,
        rateScale: Number(values['rate-scale']) || 1,
        talk: /** @type {[number, number]} */ (talk),
        transferShare: transferShare,
        progressEveryS: values.quiet ? 0 : 10,
        log: say,
        webSdk,
        callbacks: { port: callbacksPort, api: { accountId: DEMO_ACCOUNT, keys: { 'demo-key': callbackKey.publicKey }, rules: { [CALLBACK_RULE]: CALLBACK_SCENARIOS } } },
        onFirstCall: (at) => {
          firstCallAt = at;
          const fromMake = ((at - t0) / 1000).toFixed(1);
          const fromLaunch = ((at - launchedAt) / 1000).toFixed(1);
          say(
            t0 < launchedAt
              ? `demo: first call on the wallboard ${fromMake} s after make demo started (${((launchedAt - t0) / 1000).toFixed(1)} s building, ${fromLaunch} s starting)`
              : `demo: first call on the wallboard ${fromLaunch} s after the start`,
          );
        },
      });
    } catch (err) {
      process.stderr.write(`demo: the traffic did not start: ${err instanceof Error ? err.stack : err}\n`);
      await stop(1);
      return;
    }
    if (stopping) {
      await traffic.stop();
      return;
    }
    if (duration > 0) durationTimer = setTimeout(() => stop(0), Math.max(0, duration * 1000 - (Date.now() - launchedAt)));
  })().catch((err) => {
    process.stderr.write(`demo: ${err instanceof Error ? err.stack : err}\n`);
    stop(1);
  });
}

/** A free TCP port on loopback. @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = require('node:net').createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = /** @type {import('node:net').AddressInfo} */ (s.address());
      s.close(() => resolve(a.port));
    });
  });
}

main().catch((err) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
