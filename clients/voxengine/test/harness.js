// @ts-check
'use strict';
/**
 * What the end-to-end tests share: the real tandem binary on a temp database and a free port,
 * a switch in front of it that can play "Tandem is down", and the emulator wired to both.
 *
 * Nothing here sleeps for a fixed time: every wait is for an event, bounded by a timeout
 * (scaled by TANDEM_TEST_TIMEOUT_SCALE on slow machines).
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Emulator, CALLEES, CALLBACK_SCENARIOS } = require('../emulator/voxengine.js');
const { Tandem } = require('../emulator/operators.js');

const REPO = path.resolve(__dirname, '..', '..', '..');
/** Whether this Tandem asks callers the voice opt-in question (queues have no_opt_in). */
const OPT_IN = require('../build/gen/tandem/admin/v1/admin_pb.js').QueueSchema.fields.some((f) => f.name === 'no_opt_in');
const SECRET = 'e2e-cloud-secret';
const ADMIN_KEY = 'e2e-admin-key';
const SUPPORT_LINE = '+15550001000';
const FALLBACK_NUMBER = '+15550009999';
/** The emulator runs the scenario's timers and the scripted parties this much faster. */
const TIME_SCALE = 5;
/** Bound for every wait, in wall-clock ms. */
const WAIT = 20000 * (Number(process.env.TANDEM_TEST_TIMEOUT_SCALE) || 1);

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** @type {string | null} */
let builtBinary = null;

/** The tandem binary: $TANDEM_BIN, or built once per test process into a temp dir. */
function tandemBinary() {
  if (process.env.TANDEM_BIN) return path.resolve(process.env.TANDEM_BIN);
  if (builtBinary) return builtBinary;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-bin-'));
  const out = path.join(dir, 'tandem');
  execFileSync('go', ['build', '-o', out, './server/cmd/tandem'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'], env: Object.assign({}, process.env, { GOFLAGS: '-buildvcs=false' }) });
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  builtBinary = out;
  return out;
}

/** A tandem server process on a temp database. */
class TandemServer {
  /** @param {import('node:child_process').ChildProcess} child @param {string} dir */
  constructor(child, dir) {
    this.child = child;
    this.dir = dir;
    this.url = '';
    /** @type {string[]} */
    this.log = [];
    this.exited = new Promise((resolve) => child.once('exit', resolve));
  }

  /**
   * Starts tandem serve on 127.0.0.1:0 and waits until it says where it listens.
   * @param {string[]} [args] more flags
   */
  static async start(args = []) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-e2e-'));
    const child = spawn(tandemBinary(), ['serve', '--addr', '127.0.0.1:0', '--db', path.join(dir, 'tandem.db'), '--cloud-secret', SECRET, '--admin-key', ADMIN_KEY, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    const srv = new TandemServer(child, dir);
    await new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`tandem did not start within ${WAIT} ms:\n${srv.log.join('\n')}`)), WAIT);
      /** @param {Buffer} chunk */
      const onData = (chunk) => {
        buf += chunk.toString('utf8');
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          srv.log.push(line);
          if (srv.log.length > 2000) srv.log.shift();
          if (!srv.url) {
            try {
              const j = JSON.parse(line);
              if (j.msg === 'tandem serving' && j.url) {
                srv.url = j.url;
                clearTimeout(timer);
                resolve(undefined);
              }
            } catch {
              // not JSON: keep it in the log
            }
          }
        }
      };
      /** @type {import('node:stream').Readable} */ (child.stderr).on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (!srv.url) reject(new Error(`tandem exited with ${code}:\n${srv.log.join('\n')}`));
      });
    });
    return srv;
  }

  /** Stops it (SIGTERM, then SIGKILL after 5 s) and removes its files. */
  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(t);
    }
    children.delete(this.child);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A TCP port in front of Tandem. Down, it accepts and drops every connection at once (the
 * scenario sees a connection error); up, it relays to Tandem. The scenario's backend URL
 * stays the same either way.
 */
class Switch {
  constructor() {
    /** @type {string | null} */
    this.target = null;
    this.refused = 0;
    /** @type {Set<net.Socket>} */
    this.sockets = new Set();
    /** @type {Array<() => void>} */
    this.waiters = [];
    this.server = net.createServer((sock) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
      sock.on('error', () => {});
      if (!this.target) {
        this.refused++;
        sock.destroy();
        this.waiters.forEach((w) => w());
        return;
      }
      const u = new URL(this.target);
      const up = net.connect(Number(u.port), u.hostname);
      this.sockets.add(up);
      up.on('close', () => this.sockets.delete(up));
      up.on('error', () => sock.destroy());
      sock.on('error', () => up.destroy());
      sock.pipe(up).pipe(sock);
    });
    this.url = '';
  }

  async listen() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve(undefined)));
    const a = /** @type {net.AddressInfo} */ (this.server.address());
    this.url = `http://127.0.0.1:${a.port}`;
    return this;
  }

  /** @param {string} target */
  up(target) {
    this.target = target;
  }

  /** Resolves once n connections were refused in all. @param {number} n */
  refusedAtLeast(n) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.refused} connections refused within ${WAIT} ms`)), WAIT);
      const check = () => {
        if (this.refused < n) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(undefined);
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  async close() {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(() => resolve(undefined)));
  }
}

/**
 * The scenario's configuration for a test, as the application storage holds it.
 * @param {string} backendUrl @param {Record<string, unknown>} [extra]
 */
function scenarioConfig(backendUrl, extra = {}) {
  return JSON.stringify(
    Object.assign(
      {
        backendUrl,
        secret: SECRET,
        holdMusicUrl: 'https://media.example.com/hold.mp3',
        fallbackNumber: FALLBACK_NUMBER,
        requestTimeoutS: 5,
        retryFirstDelayMs: 250,
        retryMaxDelayMs: 2000,
        intakeMaxAttempts: 8,
        eventMaxAttempts: 8,
      },
      extra,
    ),
  );
}

/**
 * Everything one test needs, torn down by close(): Tandem (unless skipped), the API client,
 * the emulator with a callee table.
 */
class World {
  /**
   * With callbacks, the emulator serves the Management API (StartScenarios of CALLBACK_RULE runs
   * common.js, then callback.js) and Tandem is started with the flags that point at it.
   * @param {{ tandem?: boolean, backend?: string, config?: Record<string, unknown>, callbacks?: boolean }} [opts]
   */
  static async create(opts = {}) {
    const w = new World();
    try {
      /** @type {Record<string, string>} */
      const secrets = {};
      /** @type {import('../emulator/voxengine.js').EmulatorOptions} */
      const emuOpts = {
        timeScale: TIME_SCALE,
        secrets,
        callee: (kind, target) => w.callees.get(target),
        defaultCallee: CALLEES.answer(0.5),
      };
      /** @type {string[]} */
      const args = [];
      if (opts.callbacks) {
        const { generateServiceAccountKey } = require('../emulator/platform-api.js');
        const key = generateServiceAccountKey(CALLBACK_ACCOUNT, 'kid-e2e');
        w.keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-key-'));
        const keyFile = path.join(w.keyDir, 'voximplant-key.json');
        fs.writeFileSync(keyFile, key.keyFile, { mode: 0o600 });
        emuOpts.platformApi = { accountId: CALLBACK_ACCOUNT, keys: { 'kid-e2e': key.publicKey }, rules: { [CALLBACK_RULE]: CALLBACK_SCENARIOS } };
        w.emu = new Emulator(emuOpts);
        await w.emu.start();
        const api = /** @type {NonNullable<Emulator['platformApi']>} */ (w.emu.platformApi);
        args.push('--voximplant-account-id', String(CALLBACK_ACCOUNT), '--voximplant-key-file', keyFile, '--callback-rule-id', CALLBACK_RULE, '--voximplant-api-url', api.url);
      }
      if (opts.tandem !== false) {
        w.server = await TandemServer.start(args);
        w.api = new Tandem(w.server.url, { adminKey: ADMIN_KEY });
      }
      const backend = opts.backend || (w.server ? w.server.url : 'http://127.0.0.1:9');
      secrets.tandem_config = scenarioConfig(backend, opts.config);
      if (!w.emu) {
        w.emu = new Emulator(emuOpts);
        await w.emu.start();
      }
    } catch (err) {
      await w.close();
      throw err;
    }
    return w;
  }

  constructor() {
    /** @type {TandemServer | null} */
    this.server = null;
    /** @type {Tandem | null} */
    this.api = null;
    /** @type {Emulator | null} */
    this.emu = null;
    /** @type {Map<string, import('../emulator/voxengine.js').CalleeScript>} callee scripts by contact target */
    this.callees = new Map();
    /** Where the service account's key file is, with callbacks. */
    this.keyDir = '';
  }

  /** The API client (Tandem must be running). */
  get tandem() {
    if (!this.api) throw new Error('no tandem in this world');
    return this.api;
  }

  /** The emulator. */
  get vox() {
    if (!this.emu) throw new Error('no emulator');
    return this.emu;
  }

  /**
   * The support queue and operators, each a Voximplant user named like him.
   * @param {string[]} names @param {Record<string, unknown>} [queue]
   */
  async setup(names, queue = {}) {
    /** @type {Record<string, unknown>} */
    const defaults = { queueId: 'support', name: 'Support', dialedNumbers: [SUPPORT_LINE], offerTimeoutS: 5, wrapUpS: 0, isDefault: true };
    // Tests that are not about the voice opt-in turn it off: it adds a question to every call
    // the operator ends.
    if (OPT_IN) defaults.noOptIn = true;
    await this.tandem.createQueue(/** @type {any} */ (Object.assign(defaults, queue)));
    for (const name of names) await this.tandem.createOperator({ name, password: `password-${name}`, queues: ['support'] });
  }

  /** @param {string} name */
  logIn(name) {
    return this.tandem.logIn(name, `password-${name}`);
  }

  /** @param {import('../emulator/voxengine.js').PlaceCallOptions} [opts] */
  call(opts = {}) {
    return this.vox.placeCall(Object.assign({ callerid: '+15557654321', destination: SUPPORT_LINE, displayName: 'Jane Caller' }, opts));
  }

  async close() {
    if (this.emu) await this.emu.close();
    if (this.api) this.api.close();
    if (this.server) await this.server.stop();
    if (this.keyDir) fs.rmSync(this.keyDir, { recursive: true, force: true });
  }
}

/**
 * The events the scenario reported to Tandem, in order: [path, parsed body].
 * @param {import('../emulator/voxengine.js').Session} s
 * @returns {{ path: string, code: number, body: any }[]}
 */
function reports(s) {
  return s.records
    .filter((r) => r.type === 'http-out')
    .map((r) => ({ path: new URL(r.url).pathname, code: r.code, body: r.body ? JSON.parse(r.body) : null }));
}

/**
 * Waits until the scenario reported an event of this kind and Tandem took it.
 * @param {import('../emulator/voxengine.js').Session} s @param {string} kind e.g. "call_ended"
 */
async function reported(s, kind) {
  const rec = await s.waitFor((r) => r.type === 'http-out' && r.code === 200 && r.body && JSON.parse(r.body)[kind] !== undefined, WAIT, `accepted ${kind} report`);
  return JSON.parse(rec.body);
}

/** The Voximplant account and callback rule of tests with callbacks. */
const CALLBACK_ACCOUNT = 4343;
const CALLBACK_RULE = '88';

module.exports = { CALLBACK_ACCOUNT, CALLBACK_RULE, OPT_IN, World, TandemServer, Switch, reports, reported, tandemBinary, scenarioConfig, SECRET, ADMIN_KEY, SUPPORT_LINE, FALLBACK_NUMBER, TIME_SCALE, WAIT };
