// @ts-check
'use strict';
/**
 * A local VoxEngine: runs a scenario file unmodified in a node:vm sandbox per session, with the
 * globals a call-center scenario uses (VoxEngine, AppEvents, CallEvents, Net.httpRequestAsync,
 * Crypto, base64_encode, Modules.ASR/ASREvents, ApplicationStorage, Logger, timers), a real
 * local accessURL per session, scripted callers and callees, and injected ASR results.
 *
 * Behaviour follows ../../../../shared/voxengine/VOXENGINE.md (copied in the README's terms:
 * "the VoxEngine summary"). Where that summary leaves something open the emulator has to
 * guess; every such place is marked "GUESS:" below.
 *
 * Time: the scenario's timers and the scripted parties run timeScale times faster than the
 * wall clock (1 = real time). Date and the network are never scaled: signatures carry real
 * unix times, and HTTP timeouts are real seconds.
 */
const vm = require('node:vm');
const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { EventEmitter } = require('node:events');
const { stringEnums } = require('./enums');

const enums = stringEnums();
const { AppEvents, CallEvents, ASREvents } = enums;

/** VoxEngine's documented limits. */
const LIMITS = {
  httpActive: 3,
  httpTotal: 35,
  httpTimeoutS: 90,
  httpConnectTimeoutS: 6,
  httpMaxResponse: 2 * 1024 * 1024,
  timers: 100,
  callbackMs: 1000,
  noCallsTerminateS: 60,
  unansweredInboundS: 60,
  outboundNoAnswerS: 60,
  sayMaxChars: 1500,
  loggerMaxChars: 15000,
};

/**
 * How a callee (an operator's phone, the fallback number) behaves. Times are in emulated
 * seconds from the moment the scenario dials.
 * @typedef {Object} CalleeScript
 * @property {number} [ringAfterS]    Ringing after this long (default 0.05; none when failing at once)
 * @property {number} [answerAfterS]  answer after this long (omit with no failCode: never answers)
 * @property {number} [failCode]      fail with this code (486 busy, 480 offline, 603 declined, 404 unknown…)
 * @property {string} [failReason]
 * @property {number} [failAfterS]    when to fail (default 0.2)
 * @property {number} [hangupAfterS]  hang up this long after answering (omit: stays until hung up)
 */

/**
 * How the caller behaves. Times in emulated seconds.
 * @typedef {Object} CallerScript
 * @property {number} [hangupAfterS]        hang up this long after the call arrives
 * @property {number} [hangupAfterBridgeS]  hang up this long after he first hears another call (an operator)
 * @property {{ text: string, confidence?: number, afterS?: number }[]} [answers] spoken answers, one per question the scenario listens for
 *   (each one afterS after the scenario starts sending the caller's audio to a recognizer)
 * @property {{ tone: string, atS: number }[]} [tones] keys the caller presses (0-9, * or #), each atS after the call arrives
 */

/**
 * @typedef {Object} PlaceCallOptions
 * @property {string} [callerid]
 * @property {string} [destination]
 * @property {string} [displayName]
 * @property {Record<string, string>} [headers]
 * @property {string} [customData]       the inbound call's customData
 * @property {string} [sessionCustomData] what VoxEngine.customData() returns
 * @property {CallerScript} [caller]
 * @property {string} [scheme]
 * @property {boolean} [noInboundCall]   a session StartScenarios started: Started only, no CallAlerting
 * @property {vm.Script[]} [scripts]    the rule's scenarios to run, in order (default: the emulator's)
 */

/**
 * @typedef {Object} EmulatorOptions
 * @property {string[]} [scenarios]  the inbound rule's scenario files, run in this order in one
 *                                   space (default: INBOUND_SCENARIOS, ../common.js then ../scenario.js)
 * @property {number} [timeScale]    speed of emulated time (default 1)
 * @property {string} [host]         where the accessURL server listens (default 127.0.0.1)
 * @property {number} [port]         (default 0: any free port)
 * @property {Record<string, string>} [storage] the application's key-value storage
 * @property {Record<string, string>} [secrets] the application's secrets (VoxEngine.getSecretValue)
 * @property {(kind: string, target: string, session: Session) => CalleeScript | undefined} [callee]
 * @property {CalleeScript} [defaultCallee]  when callee() gives nothing (default: answers after 1 s)
 * @property {'community' | 'empty'} [httpReply] how an HttpRequest handler's return value becomes the reply body
 * @property {(url: string) => boolean} [brokenMedia] playback URLs that fail
 * @property {number} [playbackS]   how long a non-looped playback lasts (default 3)
 * @property {number} [ttsCharsPerS] TTS speed (default 40 characters a second, at least 0.3 s)
 * @property {boolean} [keepRecords] keep every session's records after it ends (default true)
 * @property {import('./websdk.js').WebSdk} [webSdk] browsers' Voximplant users: callUser to a user it knows rings his browser (websdk.js)
 * @property {import('./platform-api.js').PlatformApiOptions} [platformApi] serve the Management API's StartScenarios (platform-api.js)
 */

/**
 * An outbound leg started or ended, as the Emulator's 'leg' event gives it: active is how many
 * legs to that target are in progress now, over every session (from the dial until the leg
 * ends by any means).
 * @typedef {{ target: string, kind: string, state: 'start' | 'end', active: number, session: Session }} LegEvent
 */

/**
 * One thing that happened in a session, for assertions and statistics.
 * @typedef {{ t: number, type: string, [key: string]: any }} Rec
 */

let nextSessionId = 1000;

/** The inbound rule's scenarios, in the order the rule lists them. */
const INBOUND_SCENARIOS = [path.join(__dirname, '..', 'common.js'), path.join(__dirname, '..', 'scenario.js')];
/** The callback rule's scenarios, in the order the rule lists them. */
const CALLBACK_SCENARIOS = [path.join(__dirname, '..', 'common.js'), path.join(__dirname, '..', 'callback.js')];

/**
 * Compiles a routing rule's scenarios. A session runs them one after another in its one context
 * (Session._begin), as VoxEngine runs a rule's scenarios in one space in the order given: a
 * later one calls what an earlier one defined, and their top-level names share one scope (as
 * Node's vm does for scripts run in one context: a second top-level const or let of a name
 * already declared throws a SyntaxError when that script runs).
 * @param {string[]} files @returns {vm.Script[]}
 */
function compileScenarios(files) {
  if (!Array.isArray(files) || files.length === 0) throw new Error('a rule runs at least one scenario file');
  return files.map((file) => new vm.Script(fs.readFileSync(file, 'utf8'), { filename: file }));
}

class Emulator extends EventEmitter {
  /** @param {EmulatorOptions} [opts] */
  constructor(opts = {}) {
    super();
    this.setMaxListeners(0);
    this.opts = opts;
    this.timeScale = opts.timeScale && opts.timeScale > 0 ? opts.timeScale : 1;
    /** the inbound rule's scenario files, in order */
    this.scenarioPaths = opts.scenarios || INBOUND_SCENARIOS;
    this.scripts = compileScenarios(this.scenarioPaths);
    /** @type {Map<string, string>} */
    this.storage = new Map(Object.entries(opts.storage || {}));
    /** @type {Map<string, Session>} by accessURL path */
    this.sessions = new Map();
    /** @type {Set<Session>} */
    this.live = new Set();
    /** @type {Map<string, number>} outbound legs in progress by target, over all sessions */
    this.activeLegs = new Map();
    this.agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
    this.tlsAgent = new https.Agent({ keepAlive: true, maxSockets: Infinity });
    /** @type {import('./platform-api.js').PlatformApi | null} */
    this.platformApi = opts.platformApi ? new (require('./platform-api.js').PlatformApi)(this, opts.platformApi) : null;
    this.server = http.createServer((req, res) => this._accessRequest(req, res));
    this.server.keepAliveTimeout = 5000;
    this.baseUrl = '';
    this.closed = false;
  }

  /** Starts the accessURL server. */
  async start() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port || 0, this.opts.host || '127.0.0.1', () => resolve(undefined));
    });
    const addr = /** @type {import('node:net').AddressInfo} */ (this.server.address());
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.baseUrl = `http://${host}:${addr.port}`;
    return this;
  }

  /**
   * An inbound call arrives: a new session starts and runs the scenario. With noInboundCall,
   * the session starts without one, as StartScenarios starts it (platform-api.js).
   * @param {PlaceCallOptions} [opts]
   */
  placeCall(opts = {}) {
    if (!this.baseUrl) throw new Error('emulator not started');
    if (this.closed) throw new Error('emulator closed');
    const s = new Session(this, opts);
    this.sessions.set(s.path, s);
    this.live.add(s);
    this.emit('session', s);
    s._begin();
    return s;
  }

  /** Converts emulated seconds to wall-clock milliseconds. @param {number} s */
  ms(s) {
    return (s * 1000) / this.timeScale;
  }

  /**
   * @param {string} kind @param {string} target @param {Session} session
   * @returns {CalleeScript}
   */
  _calleeFor(kind, target, session) {
    const s = this.opts.callee ? this.opts.callee(kind, target, session) : undefined;
    return s || this.opts.defaultCallee || { answerAfterS: 1 };
  }

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
  _accessRequest(req, res) {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const p = (req.url || '').split('?')[0];
      if (this.platformApi && this.platformApi.handles(p)) {
        this.platformApi.serve(req, Buffer.concat(chunks).toString('utf8'), res);
        return;
      }
      const s = this.sessions.get(p);
      if (!s || s.state === 'terminated') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such session');
        return;
      }
      s._httpRequest(req, Buffer.concat(chunks).toString('utf8'), res);
    });
  }

  /**
   * Counts an outbound leg in or out and emits 'leg' (a LegEvent), so tests can watch how many
   * calls a number has at once across sessions.
   * @param {Call} call @param {'start' | 'end'} state
   */
  _leg(call, state) {
    const target = call.number();
    const active = (this.activeLegs.get(target) || 0) + (state === 'start' ? 1 : -1);
    if (active > 0) this.activeLegs.set(target, active);
    else this.activeLegs.delete(target);
    /** @type {LegEvent} */
    const ev = { target, kind: call.o_.kind, state, active, session: call.session_ };
    this.emit('leg', ev);
  }

  /** @param {Session} s */
  _ended(s) {
    this.live.delete(s);
    if (this.opts.keepRecords === false) this.sessions.delete(s.path);
    this.emit('ended', s);
  }

  /** Ends every session at once and stops the server. */
  async close() {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.live]) s._kill('emulator closed');
    await new Promise((resolve) => {
      this.server.close(() => resolve(undefined));
      this.server.closeAllConnections();
    });
    this.agent.destroy();
    this.tlsAgent.destroy();
  }
}

/**
 * One VoxEngine session: a sandbox running the scenario, its calls, timers, requests and
 * records.
 */
class Session extends EventEmitter {
  /** @param {Emulator} emu @param {PlaceCallOptions} opts */
  constructor(emu, opts) {
    super();
    this.setMaxListeners(0);
    this.emu = emu;
    this.opts = opts;
    this.id = nextSessionId++;
    this.secret = crypto.randomBytes(12).toString('hex');
    this.path = `/request/${this.id}/${this.secret}`;
    this.accessURL = emu.baseUrl + this.path;
    this.startedAt = Date.now();
    /** @type {'running' | 'terminating' | 'terminated'} */
    this.state = 'running';
    /** @type {Rec[]} */
    this.records = [];
    /** @type {Map<string, Function[]>} */
    this.handlers = new Map();
    /** @type {Set<Call>} */
    this.calls = new Set();
    /** @type {Map<number, { timer: NodeJS.Timeout, interval: boolean }>} */
    this.timers = new Map();
    this.nextTimer = 1;
    /** @type {{ run: () => void }[]} */
    this.netQueue = [];
    this.netActive = 0;
    this.netAfterTerminating = 0;
    this.terminatingFired = false;
    /** @type {Set<ASR>} */
    this.asrs = new Set();
    /** @type {Set<Conference>} */
    this.conferences = new Set();
    /** @type {Set<string>} the Modules the scenario required */
    this.modules = new Set();
    /** @type {Call | null} */
    this.caller = null;
    this.customData = opts.sessionCustomData || '';
    /** @type {NodeJS.Timeout | null} */
    this.idleTimer = null;
    this.errors = /** @type {string[]} */ ([]);
    this.terminated = new Promise((resolve) => this.once('terminated', resolve));
    this.context = vm.createContext(this._globals(), { name: `voxengine session ${this.id}` });
    /** @type {PromiseConstructor} */
    this.Promise = vm.runInContext('Promise', this.context);
  }

  /** Milliseconds since the session started. */
  now() {
    return Date.now() - this.startedAt;
  }

  /**
   * Records something that happened, for assertions.
   * @param {string} type @param {Record<string, any>} [data]
   */
  record(type, data = {}) {
    /** @type {Rec} */
    const rec = Object.assign({ t: this.now(), type }, data);
    this.records.push(rec);
    this.emit('record', rec);
    return rec;
  }

  /**
   * Waits for a record matching pred (one already there counts), at most timeoutMs.
   * @param {(r: Rec) => boolean} pred @param {number} timeoutMs @param {string} [what]
   * @returns {Promise<Rec>}
   */
  waitFor(pred, timeoutMs, what = 'record') {
    const found = this.records.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      /** @param {Rec} r */
      const on = (r) => {
        if (!pred(r)) return;
        cleanup();
        resolve(r);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`session ${this.id}: no ${what} within ${timeoutMs} ms; last records:\n${this.dump(15)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('record', on);
      };
      this.on('record', on);
    });
  }

  /** The last n records as text, for failure messages. @param {number} [n] */
  dump(n = 30) {
    return this.records
      .slice(-n)
      .map((r) => {
        const { t, type, ...rest } = r;
        return `  ${String(t).padStart(6)} ${type} ${JSON.stringify(rest, (k, v) => (k === 'call' ? undefined : v)).slice(0, 300)}`;
      })
      .join('\n');
  }

  /** Every Logger.write line. */
  logs() {
    return this.records.filter((r) => r.type === 'log').map((r) => String(r.message));
  }

  /** What the caller heard, in order: music, speech (with text), another call, silence. */
  heard() {
    return this.records.filter((r) => r.type === 'heard');
  }

  /** The texts spoken to the caller. */
  spoken() {
    return this.records.filter((r) => r.type === 'say').map((r) => String(r.text));
  }

  /**
   * Whose voices the call with id hears now (the ids of the calls, sorted): the call that sends
   * to it, or every call sending to the conference that sends to it, but itself. A playback or
   * silence is no one.
   * @param {string} id
   * @returns {string[]}
   */
  hearsNow(id) {
    const all = [this.caller, ...this.calls].filter(Boolean);
    const call = all.find((c) => c && c.id() === id);
    if (!call) return [];
    const i = call.input_;
    /** @type {Call[]} */
    let from = [];
    if (i.kind === 'call') from = [i.from];
    else if (i.kind === 'conference') from = [...i.conf.inputs_];
    return from
      .filter((c) => c !== call && c.state_ === 'CONNECTED')
      .map((c) => c.id())
      .sort();
  }

  /** Outbound legs the scenario placed. */
  legs() {
    return this.records.filter((r) => r.type === 'dial');
  }

  /** The caller hangs up now. */
  callerHangup() {
    if (this.caller) this.caller._remoteHangup('caller hung up');
  }

  /** The callee of the outbound leg with call id id hangs up now. @param {string} id */
  hangupLeg(id) {
    const call = [...this.calls].find((c) => c.id() === id);
    if (call) call._remoteHangup('callee hung up');
  }

  /**
   * Injects a recognition result into every ASR that the caller's audio goes to now. Returns
   * how many got it (0: nobody is listening).
   * @param {string} text @param {number} [confidence]
   */
  injectSpeech(text, confidence = 0.9) {
    let n = 0;
    for (const a of this.asrs) {
      if (a._source && a._source === this.caller && a._source.state() === 'CONNECTED' && !a._stopped) {
        a._result(text, confidence);
        n++;
      }
    }
    return n;
  }

  // ---- the sandbox -------------------------------------------------------------------------

  _globals() {
    const s = this;
    const emu = this.emu;
    /** @param {string} name */
    const namespaceProxy = (name) =>
      // Enums such as VoiceList.Amazon.en_US_Joanna or ASRProfileList.Google.en_US have no
      // initializers in the d.ts: their runtime values are unknown. GUESS: a descriptive string.
      new Proxy(
        {},
        {
          get(_, provider) {
            if (typeof provider !== 'string') return undefined;
            return new Proxy({}, { get: (__, member) => (typeof member === 'string' ? `${name}.${provider}.${member}` : undefined) });
          },
        },
      );
    const VoxEngine = {
      /** @param {string} ev @param {Function} fn */
      addEventListener(ev, fn) {
        if (typeof fn !== 'function') {
          // The summary: a handler that is not a function is an error that ends the scenario.
          s._error(`VoxEngine.addEventListener(${ev}): handler is not a function`);
          s._terminate();
          return;
        }
        if (!s.handlers.has(ev)) s.handlers.set(ev, []);
        /** @type {Function[]} */ (s.handlers.get(ev)).push(fn);
      },
      /** @param {string} ev @param {Function} [fn] */
      removeEventListener(ev, fn) {
        if (!fn) s.handlers.delete(ev);
        else s.handlers.set(ev, (s.handlers.get(ev) || []).filter((f) => f !== fn));
      },
      /** @param {any} p */
      callUser(p) {
        if (!p || typeof p.username !== 'string' || typeof p.callerid !== 'string') throw new TypeError('callUser: username and callerid are required');
        const headers = p.extraHeaders || {};
        for (const k of Object.keys(headers)) {
          if (!/^X-/i.test(k) && k !== 'VI-CallTimeout') s._warn(`callUser: header ${k} does not start with X-`);
        }
        let timeoutS = LIMITS.outboundNoAnswerS;
        if (headers['VI-CallTimeout'] !== undefined) {
          const v = Number(headers['VI-CallTimeout']);
          if (!(v >= 10 && v <= 400)) s._warn(`callUser: VI-CallTimeout ${headers['VI-CallTimeout']} outside 10–400`);
          else timeoutS = v;
        }
        return s._dial('user', p.username, p.callerid, p.displayName || '', headers, timeoutS);
      },
      /** @param {string} to @param {any} [p] */
      callSIP(to, p = {}) {
        if (typeof to !== 'string' || !to) throw new TypeError('callSIP: a SIP URI is required');
        if (p.extraHeaders) s._warn('callSIP takes headers, not extraHeaders');
        return s._dial('sip', to, p.callerid || '', p.displayName || '', p.headers || {}, LIMITS.outboundNoAnswerS);
      },
      /** @param {string} number @param {string} callerid @param {any} [p] */
      callPSTN(number, callerid, p = {}) {
        if (typeof number !== 'string' || !number) throw new TypeError('callPSTN: a number is required');
        if (typeof callerid !== 'string' || !callerid) throw new TypeError('callPSTN: a callerid is required');
        for (const k of Object.keys(p || {})) if (k !== 'amd' && k !== 'followDiversion') s._warn(`callPSTN: unknown parameter ${k}`);
        return s._dial('pstn', number, callerid, '', {}, LIMITS.outboundNoAnswerS);
      },
      /** @param {any} p */
      createASR(p) {
        if (!p || !p.profile) throw new TypeError('createASR: profile is required');
        return new ASR(s, p);
      },
      /**
       * A voice conference (createConference, then sendMediaTo / sendMediaBetween, as Voximplant's
       * audio conferencing guide does; Conference.add is for video conferences only).
       * @param {any} p
       */
      createConference(p) {
        if (!s.modules.has(enums.Modules.Conference)) s._warn('createConference without require(Modules.Conference)');
        return new Conference(s, p || {});
      },
      /** @param {any} a @param {any} b */
      sendMediaBetween(a, b) {
        a.sendMediaTo(b);
        b.sendMediaTo(a);
      },
      /** @param {any} a @param {any} b */
      stopMediaBetween(a, b) {
        a.stopMediaTo(b);
        b.stopMediaTo(a);
      },
      /**
       * As in Voximplant's published easyprocess.js: bridge at once, answer call1 when call2
       * connects, relay ringing and early media, end the session on any Failed/Disconnected.
       * @param {Call} call1 @param {Call} call2 @param {Function} [onEstablished] @param {boolean} [direct]
       */
      easyProcess(call1, call2, onEstablished, direct) {
        VoxEngine.sendMediaBetween(call1, call2);
        call2.addEventListener(CallEvents.Ringing, () => call1.ring());
        call2.addEventListener(CallEvents.AudioStarted, () => call1.startEarlyMedia());
        call2.addEventListener(CallEvents.Connected, () => call1.answer());
        call1.addEventListener(CallEvents.Connected, () => onEstablished && onEstablished(call1, call2));
        for (const c of [call1, call2]) {
          c.addEventListener(CallEvents.Failed, () => VoxEngine.terminate());
          c.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
        }
        if (direct) s._warn('easyProcess: direct (P2P) is not emulated');
      },
      terminate() {
        s._terminate();
      },
      /**
       * The application's secrets. Not in the vendored d.ts (v28); documented by Voximplant as
       * VoxEngine.getSecretValue(name): the value, or undefined when there is no such secret.
       * @param {string} name
       */
      getSecretValue(name) {
        const v = emu.opts.secrets ? emu.opts.secrets[name] : undefined;
        return typeof v === 'string' ? v : undefined;
      },
      /** @param {string} [v] */
      customData(v) {
        if (typeof v === 'string') {
          if (Buffer.byteLength(v) > 200) s._warn('VoxEngine.customData: more than 200 bytes');
          s.customData = v;
        }
        return s.customData;
      },
    };

    const Net = {
      /** @param {string} url @param {any} [options] */
      httpRequestAsync(url, options) {
        return s._httpRequestAsync(url, options || {});
      },
      /** @param {string} url @param {(r: any) => void} cb @param {any} [options] */
      httpRequest(url, cb, options) {
        s._httpRequestAsync(url, options || {}).then((r) => s._invoke('Net.httpRequest callback', cb, r));
      },
    };

    const hex = /** @param {crypto.BinaryLike} data @param {string} alg */ (data, alg) => crypto.createHash(alg).update(data).digest('hex');
    const Crypto = {
      // GUESS: strings are hashed as UTF-8, and the digest is lowercase hex.
      /** @param {string} key @param {string} data */
      hmac_sha256: (key, data) => crypto.createHmac('sha256', Buffer.from(String(key), 'utf8')).update(String(data), 'utf8').digest('hex'),
      /** @param {string | string[]} data */
      md5: (data) => hex(Array.isArray(data) ? data.join('') : String(data), 'md5'),
      /** @param {string} data */
      sha1: (data) => hex(String(data), 'sha1'),
      /** @param {string} data */
      sha256: (data) => hex(String(data), 'sha256'),
    };

    /** @param {any} data */
    const toBuffer = (data) => (Array.isArray(data) ? Buffer.from(data.map((b) => Number(b) & 0xff)) : Buffer.from(String(data), 'utf8'));

    const ApplicationStorage = {
      /** @param {string} key */
      get: (key) =>
        s._later(() => {
          const v = emu.storage.get(key);
          return v === undefined ? null : { key, value: v, expireAt: 0 };
        }),
      /** @param {string} key @param {string} value @param {number} ttl */
      put: (key, value, ttl) =>
        s._later(() => {
          emu.storage.set(key, String(value));
          return { key, value: String(value), expireAt: ttl ? Math.floor(Date.now() / 1000) + ttl : 0 };
        }),
      /** @param {string} key */
      remove: (key) =>
        s._later(() => {
          emu.storage.delete(key);
          return { key, value: '', expireAt: 0 };
        }),
      /** @param {string} [pattern] */
      keys: (pattern) => s._later(() => ({ keys: [...emu.storage.keys()].filter((k) => !pattern || k.startsWith(pattern)) })),
    };

    /** @type {Record<string, any>} */
    const globals = {
      VoxEngine,
      Net,
      Crypto,
      ApplicationStorage,
      Logger: {
        /** @param {unknown} message */
        write(message) {
          s.record('log', { message: String(message).slice(0, LIMITS.loggerMaxChars) });
        },
      },
      /** @param {string} module */
      require(module) {
        if (!Object.values(enums.Modules).includes(module)) s._warn(`require(${module}): not a Modules value`);
        s.modules.add(module);
      },
      /** @param {any} data */
      base64_encode: (data) => toBuffer(data).toString('base64'),
      /** @param {string} data */
      base64_decode: (data) => [...Buffer.from(String(data), 'base64')],
      /** @param {number[]} data @param {boolean} upper */
      bytes2hex: (data, upper) => {
        const h = toBuffer(data).toString('hex');
        return upper ? h.toUpperCase() : h;
      },
      /** @param {number[]} data */
      bytes2str: (data) => toBuffer(data).toString('utf8'),
      /** @param {string} data */
      str2bytes: (data) => [...Buffer.from(String(data), 'utf8')],
      /** @param {Function} fn @param {number} [ms] */
      setTimeout: (fn, ms) => s._setTimer(fn, ms || 0, false),
      /** @param {number} id */
      clearTimeout: (id) => s._clearTimer(id),
      /** @param {Function} fn @param {number} [ms] */
      setInterval: (fn, ms) => s._setTimer(fn, Math.max(100, ms || 0), true),
      /** @param {number} id */
      clearInterval: (id) => s._clearTimer(id),
      VoiceList: namespaceProxy('VoiceList'),
      ASRProfileList: namespaceProxy('ASRProfileList'),
      ASRModelList: namespaceProxy('ASRModelList'),
    };
    for (const [name, values] of Object.entries(enums)) {
      if (!(name in globals)) globals[name] = Object.freeze(Object.assign({}, values));
    }
    return globals;
  }

  /**
   * A promise of the sandbox's own realm, settled on a later tick.
   * @template T @param {() => T} fn @returns {Promise<T>}
   */
  _later(fn) {
    return new this.Promise((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve(fn());
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  // ---- running scenario code ---------------------------------------------------------------

  /**
   * Calls scenario code, timing it and catching what it throws.
   * @param {string} where @param {Function} fn @param {...any} args
   */
  _invoke(where, fn, ...args) {
    const t0 = process.hrtime.bigint();
    let result;
    try {
      result = fn(...args);
    } catch (err) {
      this._error(`${where}: ${err && /** @type {any} */ (err).stack ? /** @type {any} */ (err).stack : err}`);
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms > LIMITS.callbackMs) this._error(`${where}: a callback ran ${ms.toFixed(0)} ms (VoxEngine allows ${LIMITS.callbackMs})`);
    if (result && typeof result.then === 'function') {
      // GUESS: an async handler's rejection is logged like an exception and does not end the session.
      result.then(undefined, (/** @type {any} */ err) => this._error(`${where} (async): ${err && err.stack ? err.stack : err}`));
    }
    return result;
  }

  /** @param {string} msg */
  _error(msg) {
    this.errors.push(msg);
    this.record('error', { message: msg });
  }

  /** @param {string} msg */
  _warn(msg) {
    this.record('warning', { message: msg });
  }

  /**
   * Delivers an application event to its handlers on a later tick, never synchronously.
   * Returns the first handler result that is not undefined.
   * @param {string} ev @param {Record<string, any>} payload
   * @returns {Promise<any>}
   */
  _appEvent(ev, payload) {
    return new Promise((resolve) => {
      setImmediate(() => {
        if (this.state === 'terminated' || (this.state === 'terminating' && ev !== AppEvents.Terminating && ev !== AppEvents.Terminated)) {
          resolve(undefined);
          return;
        }
        this.record('event', { event: ev });
        let out;
        for (const fn of [...(this.handlers.get(ev) || [])]) {
          const r = this._invoke(ev, fn, Object.assign({ name: ev }, payload));
          if (out === undefined && r !== undefined) out = r;
        }
        resolve(out);
      });
    });
  }

  _begin() {
    try {
      for (const script of this.opts.scripts || this.emu.scripts) script.runInContext(this.context, { timeout: LIMITS.callbackMs });
    } catch (err) {
      this._error(`scenario: ${err && /** @type {any} */ (err).stack ? /** @type {any} */ (err).stack : err}`);
      this._terminate();
      return;
    }
    // GUESS: there is no TLS here, so accessSecureURL is the same plain http URL.
    this._appEvent(AppEvents.Started, {
      accessURL: this.accessURL,
      accessSecureURL: this.accessURL,
      sessionId: this.id,
      accountId: 1,
      applicationId: 1,
      logURL: `${this.emu.baseUrl}/log/${this.id}`,
      conference_name: '',
    });
    const o = this.opts;
    if (o.noInboundCall) {
      this._endIfIdle(); // a session that never places a call ends after 60 s
      return;
    }
    const call = new Call(this, {
      incoming: true,
      kind: 'pstn',
      number: o.destination || '+18005550100',
      callerid: o.callerid || '+15557654321',
      displayName: o.displayName || '',
      customData: o.customData || '',
    });
    this.caller = call;
    call.state_ = 'ALERTING';
    this._appEvent(AppEvents.CallAlerting, {
      call,
      callerid: call.callerid(),
      destination: call.number(),
      displayName: call.displayName(),
      headers: Object.assign({}, o.headers || {}),
      customData: o.customData,
      toURI: `sip:${call.number()}@emulator.voximplant.com`,
      fromURI: `sip:${call.callerid()}@emulator.voximplant.com`,
      scheme: o.scheme || 'pstn',
    });
    call._scheduleCaller(o.caller || {});
  }

  // ---- timers ------------------------------------------------------------------------------

  /** @param {Function} fn @param {number} ms @param {boolean} interval */
  _setTimer(fn, ms, interval) {
    const id = this.nextTimer++;
    if (this.state !== 'running') return id; // timers stop at Terminating
    if (this.timers.size >= LIMITS.timers) throw new Error(`too many timers (VoxEngine allows ${LIMITS.timers})`);
    const wall = Math.max(0, (Number(ms) || 0) / this.emu.timeScale);
    const run = () => {
      if (this.state !== 'running') return;
      if (!interval) this.timers.delete(id);
      this._invoke('timer', fn);
    };
    const timer = interval ? setInterval(run, wall) : setTimeout(run, wall);
    this.timers.set(id, { timer, interval });
    return id;
  }

  /** @param {number} id */
  _clearTimer(id) {
    const t = this.timers.get(id);
    if (!t) return;
    if (t.interval) clearInterval(t.timer);
    else clearTimeout(t.timer);
    this.timers.delete(id);
  }

  /**
   * Host-side timer in emulated seconds (scripted parties), cancelled when the session ends.
   * @param {number} s @param {() => void} fn
   */
  _after(s, fn) {
    const t = setTimeout(() => {
      this._hostTimers.delete(t);
      if (this.state === 'running') fn();
    }, this.emu.ms(s));
    this._hostTimers.add(t);
    return t;
  }

  /** @type {Set<NodeJS.Timeout>} */
  _hostTimers = new Set();

  // ---- calls -------------------------------------------------------------------------------

  /**
   * @param {string} kind @param {string} target @param {string} callerid @param {string} displayName
   * @param {Record<string, string>} headers @param {number} noAnswerS
   */
  _dial(kind, target, callerid, displayName, headers, noAnswerS) {
    const call = new Call(this, { incoming: false, kind, number: target, callerid, displayName, customData: '' });
    this.record('dial', { kind, target, callerid, headers: Object.assign({}, headers), callId: call.id() });
    if (this.state !== 'running') {
      call.state_ = 'TERMINATED'; // GUESS: a call placed after terminate() never rings
      return call;
    }
    call.counted_ = true;
    this.emu._leg(call, 'start');
    const web = this.emu.opts.webSdk;
    if (kind === 'user' && web && web.knows(target)) web.dial(call, target, headers, noAnswerS);
    else call._scheduleCallee(this.emu._calleeFor(kind, target, this), noAnswerS);
    return call;
  }

  /** @param {Call} call */
  _callStarted(call) {
    this.calls.add(call);
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
  }

  /** A call ended: with no calls left, the session ends by itself after 60 s. @param {Call} call */
  _callEnded(call) {
    this.calls.delete(call);
    this._endIfIdle();
  }

  /** With no calls, the session ends by itself after 60 s (unless one starts meanwhile). */
  _endIfIdle() {
    if (this.calls.size === 0 && this.state === 'running' && !this.idleTimer) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        if (this.calls.size === 0) {
          this.record('auto-terminate', { after: LIMITS.noCallsTerminateS });
          this._terminate();
        }
      }, this.emu.ms(LIMITS.noCallsTerminateS));
    }
  }

  // ---- accessURL ---------------------------------------------------------------------------

  /** @param {http.IncomingMessage} req @param {string} body @param {http.ServerResponse} res */
  _httpRequest(req, body, res) {
    /** @type {{ key: string, value: string }[]} */
    const headers = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push({ key: req.rawHeaders[i], value: req.rawHeaders[i + 1] });
    const rec = this.record('http-in', { method: req.method, path: req.url, body, headers: Object.fromEntries(headers.map((h) => [h.key.toLowerCase(), h.value])) });
    this._appEvent(AppEvents.HttpRequest, { method: req.method || 'GET', path: req.url || '', content: body, headers }).then((out) => {
      // GUESS (community convention): the handler's return value is the reply body, a string
      // as is and anything else as JSON; the status is always 200. A Promise is not awaited.
      let text = '';
      if (this.emu.opts.httpReply !== 'empty' && out !== undefined && out !== null) {
        text = typeof out === 'string' ? out : typeof out === 'object' && typeof out.then === 'function' ? '' : JSON.stringify(out);
      }
      rec.reply = text;
      this.record('http-in-reply', { path: req.url, reply: text, body });
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    });
  }

  // ---- Net.httpRequestAsync ----------------------------------------------------------------

  /** @param {string} url @param {any} o */
  _httpRequestAsync(url, o) {
    if (this.state === 'terminating' && !this.terminatingFired) {
      // GUESS: between terminate() and Terminating, new requests are dropped like queued ones.
      this.record('http-dropped', { url });
      return new this.Promise(() => {});
    }
    if (this.state === 'terminating') {
      // Exactly one request is allowed while Terminating.
      if (this.netAfterTerminating++ >= 1) throw new Error('Only one HTTP request is allowed in the Terminating handler');
    } else if (this.state === 'terminated') {
      throw new Error('The session is terminated');
    } else if (this.netActive + this.netQueue.length >= LIMITS.httpTotal) {
      this.record('http-limit', { url });
      throw new Error('Exceeded the HTTP connection count limit!');
    }
    return new this.Promise((resolve) => {
      this.netQueue.push({ run: () => this._httpRun(url, o, resolve) });
      this._netPump();
    });
  }

  _netPump() {
    while (this.netActive < LIMITS.httpActive && this.netQueue.length > 0) {
      const job = /** @type {{ run: () => void }} */ (this.netQueue.shift());
      this.netActive++;
      job.run();
    }
  }

  /**
   * One real HTTP request. GUESS: the promise never rejects; every failure resolves with a
   * negative code (−2 malformed URL, −3 host not found, −4 connection error, −6 network
   * error, −7 timeout, −9 response over 2 MB).
   * @param {string} url @param {any} o @param {(r: any) => void} resolve
   */
  _httpRun(url, o, resolve) {
    const t0 = Date.now();
    const method = String(o.method || 'GET').toUpperCase();
    /** @type {Buffer | null} */
    let body = null;
    if (o.postData !== undefined && ['POST', 'PUT', 'PATCH'].includes(method)) {
      body = Array.isArray(o.postData) ? Buffer.from(o.postData) : Buffer.from(String(o.postData), 'utf8');
    }
    const timeoutMs = Math.min(LIMITS.httpTimeoutS, o.timeout > 0 ? o.timeout : LIMITS.httpTimeoutS) * 1000;
    const connectMs = Math.min(LIMITS.httpConnectTimeoutS, o.connectionTimeout > 0 ? o.connectionTimeout : LIMITS.httpConnectTimeoutS) * 1000;
    let done = false;
    /** @type {NodeJS.Timeout | undefined} */
    let total;
    /** @param {any} result */
    const finish = (result) => {
      if (done) return;
      done = true;
      if (total) clearTimeout(total);
      this.netActive--;
      this.record('http-out', { method, url, body: body ? body.toString('utf8') : '', code: result.code, text: result.text, error: result.error, ms: Date.now() - t0 });
      if (this.state !== 'terminated') resolve(result);
      this._netPump();
      this.emit('net-idle-check');
    };
    let u;
    try {
      u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      finish({ code: -2, error: 'Malformed URL' });
      return;
    }
    /** @type {Record<string, string>} */
    const headers = Object.assign({ 'User-Agent': 'VoxEngine/1.0' }, o.headers || {});
    if (body) headers['Content-Length'] = String(body.length);
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(u, { method, headers, agent: u.protocol === 'https:' ? this.emu.tlsAgent : this.emu.agent });
    total = setTimeout(() => {
      finish({ code: -7, error: 'Timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('socket', (sock) => {
      if (sock.connecting) {
        const ct = setTimeout(() => {
          finish({ code: -7, error: 'Connection timeout' });
          req.destroy();
        }, connectMs);
        sock.once('connect', () => clearTimeout(ct));
        sock.once('close', () => clearTimeout(ct));
      }
    });
    req.on('error', (/** @type {any} */ err) => {
      const code = err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' ? -3 : ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH'].includes(err.code) ? -4 : -6;
      finish({ code, error: String(err.message || err) });
    });
    req.on('response', (res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      let size = 0;
      res.on('data', (c) => {
        size += c.length;
        if (size > LIMITS.httpMaxResponse) {
          finish({ code: -9, error: 'Response is larger than 2 MB' });
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('error', (err) => finish({ code: -6, error: String(err.message || err) }));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        /** @type {{ key: string, value: string }[]} */
        const hs = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) hs.push({ key: res.rawHeaders[i], value: res.rawHeaders[i + 1] });
        /** @type {any} */
        const result = {
          code: res.statusCode || -1,
          text: buf.toString('utf8'),
          headers: hs,
          raw_headers: hs.map((h) => `${h.key}: ${h.value}`).join('\r\n'),
        };
        if (o.rawOutput) result.data = [...buf];
        finish(result);
      });
    });
    if (body) req.write(body);
    req.end();
  }

  // ---- the end -----------------------------------------------------------------------------

  /**
   * VoxEngine.terminate(): idempotent. Every call is dropped without events; timers and ASR
   * stop. GUESS: requests in flight still complete and resolve (the platform waits up to
   * 90 s for them), queued ones are dropped; then Terminating (one request allowed), then
   * Terminated when that request is done.
   */
  _terminate() {
    if (this.state !== 'running') return;
    this.state = 'terminating';
    this.record('terminate');
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const [id] of this.timers) this._clearTimer(id);
    for (const t of this._hostTimers) clearTimeout(t);
    this._hostTimers.clear();
    for (const a of this.asrs) a._stopped = true;
    for (const c of [...this.calls]) c._drop('session terminated');
    this.netQueue.length = 0;
    const afterInFlight = () => {
      if (this.netActive > 0) {
        // On the next tick, so the request's promise callbacks run first.
        this.once('net-idle-check', () => setImmediate(afterInFlight));
        return;
      }
      this.terminatingFired = true;
      this._appEvent(AppEvents.Terminating, {}).then(() => {
        const end = () => {
          if (this.netActive > 0) {
            this.once('net-idle-check', () => setImmediate(end));
            return;
          }
          this.state = 'terminated';
          // Only Logger.write works in Terminated: run the handlers directly.
          for (const fn of [...(this.handlers.get(AppEvents.Terminated) || [])]) this._invoke(AppEvents.Terminated, fn, { name: AppEvents.Terminated });
          this.record('terminated');
          this.emit('terminated');
          this.emu._ended(this);
        };
        end();
      });
    };
    afterInFlight();
  }

  /** Ends the session at once (emulator shutdown): no more scenario code runs. @param {string} why */
  _kill(why) {
    if (this.state === 'terminated') return;
    this.record('killed', { why });
    this.state = 'terminated';
    for (const [id] of this.timers) this._clearTimer(id);
    for (const t of this._hostTimers) clearTimeout(t);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const c of [...this.calls]) c._drop(why);
    this.emit('terminated');
    this.emu._ended(this);
  }
}

let nextCallId = 1;

/**
 * A call leg, inbound (the caller) or outbound (placed by the scenario). The remote party is
 * scripted. Each call has one audio input: what its party hears.
 */
class Call {
  /**
   * @param {Session} session
   * @param {{ incoming: boolean, kind: string, number: string, callerid: string, displayName: string, customData: string }} o
   */
  constructor(session, o) {
    this.session_ = session;
    this.o_ = o;
    this.id_ = `emu-call-${nextCallId++}`;
    this.state_ = o.incoming ? 'ALERTING' : 'PROGRESSING';
    this.customData_ = o.customData;
    /** @type {Map<string, Function[]>} */
    this.listeners_ = new Map();
    /** @type {{ kind: 'silence' } | { kind: 'playback', url: string, loop: boolean } | { kind: 'speech', text: string } | { kind: 'call', from: Call } | { kind: 'conference', conf: Conference }} */
    this.input_ = { kind: 'silence' };
    /** @type {NodeJS.Timeout | null} */
    this.playbackTimer_ = null;
    this.connectedAt_ = 0;
    this.heardOther_ = false;
    /** @type {NodeJS.Timeout[]} */
    this.remoteTimers_ = [];
    /** Whether the emulator counts this outbound leg as in progress (Emulator.activeLegs). */
    this.counted_ = false;
    /** @type {CallerScript} */
    this.callerScript_ = {};
    this.answersGiven_ = 0;
    /** The record under way (Call.record): its URL and when it started. @type {{ url: string, startedAt: number } | null} */
    this.recording_ = null;
    /** handleTones(true) was called: tones from the party fire ToneReceived. */
    this.handlesTones_ = false;
    /** Told when the call ends (a browser ringing or talking on it). @type {((kind: 'Disconnected' | 'Failed', code: number, reason: string) => void) | null} */
    this.onEnd_ = null;
    session._callStarted(this);
  }

  // -- the VoxEngine Call API --
  state() {
    return this.state_;
  }
  toString() {
    return `Call ${this.id_}`;
  }
  /** @param {string} [v] */
  customData(v) {
    if (typeof v === 'string') this.customData_ = v;
    return this.customData_;
  }
  id() {
    return this.id_;
  }
  incoming() {
    return this.o_.incoming;
  }
  callerid() {
    return this.o_.callerid;
  }
  displayName() {
    return this.o_.displayName;
  }
  number() {
    return this.o_.number;
  }
  clientType() {
    return this.o_.kind === 'user' ? 'user' : this.o_.kind === 'sip' ? 'sip' : 'pstn';
  }
  vad() {
    return false;
  }

  /** @param {string} ev @param {Function} fn */
  addEventListener(ev, fn) {
    if (typeof fn !== 'function') throw new TypeError(`Call.addEventListener(${ev}): handler is not a function`);
    if (!this.listeners_.has(ev)) this.listeners_.set(ev, []);
    /** @type {Function[]} */ (this.listeners_.get(ev)).push(fn);
  }
  /** @param {string} ev @param {Function} [fn] */
  removeEventListener(ev, fn) {
    if (!fn) this.listeners_.delete(ev);
    else this.listeners_.set(ev, (this.listeners_.get(ev) || []).filter((f) => f !== fn));
  }

  answer() {
    if (!this.o_.incoming || this.state_ !== 'ALERTING') {
      this.session_._warn(`answer() on ${this.state_} ${this.o_.incoming ? 'inbound' : 'outbound'} call`);
      return;
    }
    this.state_ = 'CONNECTED';
    this.connectedAt_ = Date.now();
    this.session_.record('answer', { callId: this.id_ });
    this._event(CallEvents.Connected, { headers: {}, customData: this.customData_ });
  }
  answerDirect() {
    this.answer();
  }
  /** @param {number} code */
  reject(code) {
    if (!this.o_.incoming || this.state_ !== 'ALERTING') {
      this.session_._warn(`reject() on ${this.state_} call`);
      return;
    }
    this.session_.record('reject', { callId: this.id_, code });
    this._end('Disconnected', { internalCode: code, reason: 'Rejected' });
  }
  /** @param {number} code */
  decline(code) {
    this.reject(code);
  }
  ring() {
    this.session_.record('ring', { callId: this.id_ });
  }
  startEarlyMedia() {
    this.session_.record('early-media', { callId: this.id_ });
  }

  hangup() {
    if (this.state_ === 'TERMINATED') return;
    this.session_.record('hangup', { callId: this.id_, by: 'scenario', wasState: this.state_ });
    if (this.o_.incoming) {
      this._end('Disconnected', { internalCode: 200, reason: 'Normal call clearing' });
    } else if (this.state_ === 'CONNECTED') {
      this._end('Disconnected', { internalCode: 200, reason: 'Normal call clearing' });
    } else {
      this._end('Failed', { code: 487, reason: 'Request Terminated' });
    }
  }

  /** @param {string} url @param {{ loop?: boolean }} [p] */
  startPlayback(url, p = {}) {
    if (this.state_ !== 'CONNECTED') {
      // GUESS: media on a call that is not connected is ignored.
      this.session_._warn(`startPlayback on ${this.state_} call`);
      return;
    }
    const loop = !!(p && p.loop);
    this._setInput({ kind: 'playback', url, loop });
    this._event(CallEvents.PlaybackStarted, { duration: loop ? -1 : this.session_.emu.opts.playbackS || 3 });
    const broken = this.session_.emu.opts.brokenMedia && this.session_.emu.opts.brokenMedia(url);
    if (broken) {
      this._playbackEnds(0.05, 'Cannot play ' + url);
    } else if (!loop) {
      this._playbackEnds(this.session_.emu.opts.playbackS || 3);
    }
  }

  /** @param {string} text @param {any} [p] */
  say(text, p = {}) {
    if (this.state_ !== 'CONNECTED') {
      this.session_._warn(`say on ${this.state_} call`);
      return;
    }
    text = String(text);
    this.session_.record('say', { callId: this.id_, text, voice: p && p.voice, toCaller: this === this.session_.caller });
    this._setInput({ kind: 'speech', text });
    this._event(CallEvents.PlaybackStarted, { duration: 0 });
    if (text.length > LIMITS.sayMaxChars) {
      this._playbackEnds(0.05, `400: text longer than ${LIMITS.sayMaxChars} characters`);
      return;
    }
    const cps = this.session_.emu.opts.ttsCharsPerS || 40;
    this._playbackEnds(Math.max(0.3, text.length / cps));
  }

  stopPlayback() {
    if (this.input_.kind === 'playback' || this.input_.kind === 'speech') this._setInput({ kind: 'silence' });
  }

  /** @param {any} unit */
  sendMediaTo(unit) {
    if (unit instanceof Call) {
      if (this.state_ !== 'CONNECTED' || unit.state_ !== 'CONNECTED') {
        this.session_._warn(`sendMediaTo between ${this.state_} and ${unit.state_} calls`);
        return;
      }
      unit._setInput({ kind: 'call', from: this });
    } else if (unit instanceof ASR) {
      unit._setSource(this);
    } else if (unit instanceof Conference) {
      unit._addInput(this);
    } else {
      this.session_._warn('sendMediaTo: not an emulated media unit');
    }
  }

  /** @param {any} unit */
  stopMediaTo(unit) {
    if (unit instanceof Call) {
      if (unit.input_.kind === 'call' && unit.input_.from === this) unit._setInput({ kind: 'silence' });
    } else if (unit instanceof ASR) {
      if (unit._source === this) unit._setSource(null);
    } else if (unit instanceof Conference) {
      unit._removeInput(this);
    }
  }

  /**
   * Records the call's audio, both directions, until it ends: RecordStarted with the record's
   * URL now, RecordStopped (URL, cost, duration) after the call's Disconnected.
   * @param {any} [p] CallRecordParameters
   */
  record(p = {}) {
    if (this.state_ !== 'CONNECTED') {
      // GUESS: a call that is not connected has no media to record; the platform's answer is
      // undocumented, so the emulator warns and does nothing.
      this.session_._warn(`record on ${this.state_} call`);
      return;
    }
    if (this.recording_) {
      // GUESS: one record per call; a second record() is a scenario mistake.
      this.session_._warn('record on a call already recording');
      return;
    }
    const url = `https://records.emulator.invalid/${encodeURIComponent(this.session_.id)}/${this.id_}.mp3`;
    this.recording_ = { url, startedAt: Date.now() };
    this.session_.record('record', { callId: this.id_, url, parameters: Object.assign({}, p) });
    this._event(CallEvents.RecordStarted, { url });
  }

  /** @param {boolean} on */
  handleTones(on) {
    this.handlesTones_ = !!on;
    this.session_.record('handle-tones', { callId: this.id_, on });
  }
  /** @param {string} digits */
  sendDigits(digits) {
    this.session_.record('send-digits', { callId: this.id_, digits });
  }

  // -- emulator internals --

  /**
   * @param {string} ev @param {Record<string, any>} [extra]
   */
  _event(ev, extra = {}) {
    const s = this.session_;
    setImmediate(() => {
      if (s.state !== 'running') return;
      s.record('call-event', { callId: this.id_, event: ev, incoming: this.o_.incoming, ...pick(extra, ['code', 'reason', 'internalCode', 'error', 'url', 'tone']) });
      for (const fn of [...(this.listeners_.get(ev) || [])]) {
        s._invoke(ev, fn, Object.assign({ name: ev, call: this, id: this.id_ }, extra));
      }
    });
  }

  /** @param {Call['input_']} input */
  _setInput(input) {
    if (this.playbackTimer_) {
      // GUESS: playback replaced by other media ends without PlaybackFinished, like stopPlayback.
      clearTimeout(this.playbackTimer_);
      this.playbackTimer_ = null;
    }
    this.input_ = input;
    /** @type {Record<string, any>} */
    const what =
      input.kind === 'playback'
        ? { what: 'music', url: input.url }
        : input.kind === 'speech'
          ? { what: 'speech', text: input.text }
          : input.kind === 'call'
            ? { what: 'call', from: input.from.number() }
            : input.kind === 'conference'
              ? { what: 'conference', conference: input.conf.id() }
              : { what: 'silence' };
    if (this !== this.session_.caller) {
      // What an operator leg hears (the caller, or silence while he is on hold).
      this.session_.record('leg-heard', Object.assign({ callId: this.id_ }, what));
    } else {
      this.session_.record('heard', what);
      if (input.kind === 'call' && !this.heardOther_) {
        this.heardOther_ = true;
        const after = this.callerScript_.hangupAfterBridgeS;
        if (after !== undefined) this._remote(after, () => this._remoteHangup('caller hung up after talking'));
      }
    }
  }

  /** @param {number} s @param {string} [error] */
  _playbackEnds(s, error) {
    const input = this.input_;
    this.playbackTimer_ = setTimeout(() => {
      this.playbackTimer_ = null;
      if (this.input_ !== input || this.state_ !== 'CONNECTED') return;
      this._setInput({ kind: 'silence' });
      this._event(CallEvents.PlaybackFinished, error ? { error } : {});
    }, this.session_.emu.ms(s));
  }

  /** @param {number} s @param {() => void} fn */
  _remote(s, fn) {
    const t = this.session_._after(s, fn);
    this.remoteTimers_.push(t);
  }

  /**
   * The call ends: state TERMINATED, the event on a later tick, and anything that heard this
   * call hears silence.
   * @param {'Disconnected' | 'Failed'} kind @param {Record<string, any>} extra
   */
  _end(kind, extra) {
    if (this.state_ === 'TERMINATED') return;
    const wasConnected = this.state_ === 'CONNECTED';
    this.state_ = 'TERMINATED';
    for (const t of this.remoteTimers_) clearTimeout(t);
    if (this.playbackTimer_) clearTimeout(this.playbackTimer_);
    for (const other of this.session_.calls) {
      if (other !== this && other.input_.kind === 'call' && other.input_.from === this) other._setInput({ kind: 'silence' });
    }
    for (const a of this.session_.asrs) if (a._source === this) a._setSource(null);
    for (const conf of this.session_.conferences) conf._removeInput(this);
    this.session_._callEnded(this);
    this._uncount();
    if (this.onEnd_) this.onEnd_(kind, kind === 'Failed' ? extra.code : extra.internalCode, extra.reason || '');
    if (kind === 'Disconnected') {
      const duration = wasConnected ? Math.round((Date.now() - this.connectedAt_) / 1000) : 0;
      this._event(CallEvents.Disconnected, Object.assign({ duration, cost: 0, direction: this.o_.incoming ? 'incoming' : 'outgoing', headers: {} }, extra));
      if (this.recording_) {
        const r = this.recording_;
        this.recording_ = null;
        this._event(CallEvents.RecordStopped, { url: r.url, cost: '0', duration: Math.round((Date.now() - r.startedAt) / 1000) });
      }
    } else {
      this._event(CallEvents.Failed, Object.assign({ headers: {} }, extra));
    }
  }

  /** Dropped by terminate(): no events. @param {string} why */
  _drop(why) {
    if (this.state_ === 'TERMINATED') return;
    this.session_.record('dropped', { callId: this.id_, why });
    this.state_ = 'TERMINATED';
    for (const t of this.remoteTimers_) clearTimeout(t);
    if (this.playbackTimer_) clearTimeout(this.playbackTimer_);
    this.session_.calls.delete(this);
    this._uncount();
  }

  /** An outbound leg is over: no longer counted in Emulator.activeLegs. */
  _uncount() {
    if (!this.counted_) return;
    this.counted_ = false;
    this.session_.emu._leg(this, 'end');
  }

  /** The remote party hangs up. @param {string} why */
  _remoteHangup(why) {
    if (this.state_ === 'TERMINATED' || this.session_.state !== 'running') return;
    this.session_.record('hangup', { callId: this.id_, by: 'remote', why, wasState: this.state_, incoming: this.o_.incoming });
    if (this.o_.incoming || this.state_ === 'CONNECTED') {
      // GUESS: a caller who hangs up before the answer also gives Disconnected (Failed is for
      // outbound legs only).
      this._end('Disconnected', { internalCode: 200, reason: 'Normal call clearing' });
    } else {
      this._end('Failed', { code: 487, reason: 'Request Terminated' });
    }
  }

  /** @param {CallerScript} script */
  _scheduleCaller(script) {
    this.callerScript_ = script;
    if (script.hangupAfterS !== undefined) this._remote(script.hangupAfterS, () => this._remoteHangup('caller hung up'));
    for (const t of script.tones || []) {
      this._remote(t.atS, () => {
        if (this.state_ === 'CONNECTED') this._tone(t.tone);
      });
    }
    // An unanswered inbound call is dropped after 60 s.
    this._remote(LIMITS.unansweredInboundS, () => {
      if (this.state_ === 'ALERTING') this._remoteHangup('not answered in 60 s');
    });
  }

  /** @param {CalleeScript} script @param {number} noAnswerS */
  _scheduleCallee(script, noAnswerS) {
    const failing = script.failCode !== undefined;
    const failAt = script.failAfterS !== undefined ? script.failAfterS : 0.2;
    const ringAt = script.ringAfterS !== undefined ? script.ringAfterS : 0.05;
    if (!(failing && failAt <= ringAt)) {
      this._remote(ringAt, () => {
        if (this.state_ === 'PROGRESSING') this._event(CallEvents.Ringing, { headers: {} });
      });
    }
    if (failing) {
      this._remote(failAt, () => {
        if (this.state_ !== 'PROGRESSING') return;
        this.session_.record('callee', { callId: this.id_, did: 'fail', code: script.failCode });
        this._end('Failed', { code: script.failCode, reason: script.failReason || reasonFor(/** @type {number} */ (script.failCode)) });
      });
      return;
    }
    if (script.answerAfterS !== undefined && script.answerAfterS < noAnswerS) {
      this._remote(script.answerAfterS, () => {
        if (this.state_ !== 'PROGRESSING') return;
        this.state_ = 'CONNECTED';
        this.connectedAt_ = Date.now();
        this.session_.record('callee', { callId: this.id_, did: 'answer', target: this.o_.number });
        // GUESS: AudioStarted comes before Connected (the summary leaves the order open).
        this._event(CallEvents.AudioStarted, { headers: {} });
        this._event(CallEvents.Connected, { headers: {}, customData: '' });
        if (script.hangupAfterS !== undefined) this._remote(script.hangupAfterS, () => this._remoteHangup('callee hung up'));
      });
    }
    // No answer in time: the cloud gives up with 408 (after VI-CallTimeout, or 60 s).
    this._remote(noAnswerS, () => {
      if (this.state_ === 'PROGRESSING') this._end('Failed', { code: 408, reason: 'Request Timeout' });
    });
  }

  // -- for the emulated Web SDK (websdk.js): a browser is this leg's remote party --

  /** @param {(kind: 'Disconnected' | 'Failed', code: number, reason: string) => void} fn */
  _onEnd(fn) {
    this.onEnd_ = fn;
  }
  _ringing() {
    if (this.state_ === 'PROGRESSING' && this.session_.state === 'running') this._event(CallEvents.Ringing, { headers: {} });
  }
  /** The outbound leg fails with this SIP code (declined, offline, timed out). @param {number} code @param {string} reason */
  _fail(code, reason) {
    if (this.state_ !== 'PROGRESSING' || this.session_.state !== 'running') return;
    this.session_.record('callee', { callId: this.id_, did: 'fail', code });
    this._end('Failed', { code, reason });
  }
  /** @param {string} user */
  _answeredBy(user) {
    if (this.state_ !== 'PROGRESSING' || this.session_.state !== 'running') return;
    this.session_.record('callee', { callId: this.id_, did: 'answer', target: this.o_.number, by: 'websdk', user });
    this.remoteAnswer();
  }
  /** A DTMF tone from the party (RFC 2833): ToneReceived only after handleTones(true). @param {string} tone */
  _tone(tone) {
    this.session_.record('tone-in', { callId: this.id_, tone, handled: this.handlesTones_ });
    if (this.handlesTones_) this._event(CallEvents.ToneReceived, { tone, toneType: 1 });
  }

  // -- for tests driving a leg by hand --
  remoteAnswer() {
    if (this.state_ !== 'PROGRESSING' || this.session_.state !== 'running') return;
    this.state_ = 'CONNECTED';
    this.connectedAt_ = Date.now();
    this._event(CallEvents.AudioStarted, { headers: {} });
    this._event(CallEvents.Connected, { headers: {}, customData: '' });
  }
  remoteHangup() {
    this._remoteHangup('hung up by the test');
  }
  /** What this call's party hears now. */
  hearing() {
    const i = this.input_;
    if (i.kind === 'call') return { kind: 'call', from: i.from.id() };
    if (i.kind === 'conference') return { kind: 'conference', conference: i.conf.id() };
    return Object.assign({}, i);
  }
}

/**
 * A voice conference (VoxEngine.createConference). Documented: calls join it with
 * sendMediaTo / sendMediaBetween and each hears the others (Voximplant's audio conferencing
 * guide). Modelled: every call that sends to it is mixed; a unit it sends to hears that mix
 * less its own voice (Session.hearsNow). Conference.add (video conferences only) is not
 * emulated.
 */
class Conference {
  /** @param {Session} session @param {any} params */
  constructor(session, params) {
    this.session_ = session;
    this.id_ = `emu-conf-${nextCallId++}`;
    /** @type {Set<Call>} */
    this.inputs_ = new Set();
    session.conferences.add(this);
    session.record('conference', { conferenceId: this.id_, hd_audio: Boolean(params.hd_audio) });
  }
  id() {
    return this.id_;
  }
  /** @param {any} unit */
  sendMediaTo(unit) {
    if (!(unit instanceof Call)) {
      this.session_._warn('Conference.sendMediaTo: not an emulated call');
      return;
    }
    if (unit.state_ !== 'CONNECTED') {
      this.session_._warn(`Conference.sendMediaTo a ${unit.state_} call`);
      return;
    }
    unit._setInput({ kind: 'conference', conf: this });
  }
  /** @param {any} unit */
  stopMediaTo(unit) {
    if (unit instanceof Call && unit.input_.kind === 'conference' && unit.input_.conf === this) unit._setInput({ kind: 'silence' });
  }
  stop() {
    for (const c of this.session_.calls) this.stopMediaTo(c);
    if (this.session_.caller) this.stopMediaTo(this.session_.caller);
    this.inputs_.clear();
    this.session_.conferences.delete(this);
  }
  /** @param {Call} call */
  _addInput(call) {
    if (call.state_ !== 'CONNECTED') {
      this.session_._warn(`sendMediaTo a conference from a ${call.state_} call`);
      return;
    }
    this.inputs_.add(call);
  }
  /** @param {Call} call */
  _removeInput(call) {
    this.inputs_.delete(call);
  }
}

/** An ASR instance. Results are injected by the test or the caller script. */
class ASR {
  /** @param {Session} session @param {any} params */
  constructor(session, params) {
    this.session_ = session;
    this.params = params;
    this.id_ = `emu-asr-${nextCallId++}`;
    /** @type {Map<string, Function[]>} */
    this.listeners_ = new Map();
    /** @type {Call | null} */
    this._source = null;
    this._stopped = false;
    this.startedAt = Date.now();
    session.asrs.add(this);
    session.record('asr', { asrId: this.id_, profile: String(params.profile) });
    this._event(ASREvents.Started, {});
  }
  id() {
    return this.id_;
  }
  /** @param {string} ev @param {Function} fn */
  addEventListener(ev, fn) {
    if (!this.listeners_.has(ev)) this.listeners_.set(ev, []);
    /** @type {Function[]} */ (this.listeners_.get(ev)).push(fn);
  }
  /** @param {string} ev @param {Function} [fn] */
  removeEventListener(ev, fn) {
    if (!fn) this.listeners_.delete(ev);
    else this.listeners_.set(ev, (this.listeners_.get(ev) || []).filter((f) => f !== fn));
  }
  stop() {
    if (this._stopped) return;
    this._stopped = true;
    this._source = null;
    this.session_.record('asr-stop', { asrId: this.id_ });
    this._event(ASREvents.Stopped, { cost: '0', duration: Math.round((Date.now() - this.startedAt) / 1000) });
    this.session_.asrs.delete(this);
  }
  /** @param {Call | null} call */
  _setSource(call) {
    this._source = call;
    this.session_.record('asr-source', { asrId: this.id_, from: call ? call.id() : null });
    if (!call || call !== this.session_.caller) return;
    this._event(ASREvents.CaptureStarted, {});
    const script = call.callerScript_;
    const answer = script.answers && script.answers[call.answersGiven_];
    if (answer) {
      call.answersGiven_++;
      this.session_._after(answer.afterS !== undefined ? answer.afterS : 0.5, () => {
        if (this._source === call && !this._stopped) this._result(answer.text, answer.confidence !== undefined ? answer.confidence : 0.9);
      });
    }
  }
  /** @param {string} text @param {number} confidence */
  _result(text, confidence) {
    this.session_.record('asr-result', { asrId: this.id_, text, confidence });
    this._event(ASREvents.Result, { text, confidence });
  }
  /** @param {string} ev @param {Record<string, any>} extra */
  _event(ev, extra) {
    const s = this.session_;
    setImmediate(() => {
      if (s.state !== 'running') return;
      if (this._stopped && ev !== ASREvents.Stopped) return; // nothing after stop() but Stopped
      for (const fn of [...(this.listeners_.get(ev) || [])]) s._invoke(ev, fn, Object.assign({ name: ev, asr: this }, extra));
    });
  }
}

/** @param {number} code */
function reasonFor(code) {
  return (
    /** @type {Record<number, string>} */ ({
      404: 'Not Found',
      408: 'Request Timeout',
      480: 'Temporarily Unavailable',
      486: 'Busy Here',
      487: 'Request Terminated',
      402: 'Payment Required',
      603: 'Decline',
    })[code] || 'Failed'
  );
}

/** @param {Record<string, any>} o @param {string[]} keys */
function pick(o, keys) {
  /** @type {Record<string, any>} */
  const out = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Named callee behaviours, as the CLI and the tests name them. */
const CALLEES = {
  /** @param {number} [after] @param {number} [talk] @returns {CalleeScript} */
  answer: (after = 1, talk) => ({ answerAfterS: after, hangupAfterS: talk }),
  /** @returns {CalleeScript} */
  busy: (after = 0.3) => ({ failCode: 486, failAfterS: after }),
  /** never answers: the scenario's ring timeout, or the cloud's 408 @returns {CalleeScript} */
  noanswer: () => ({}),
  /** offline: fails without ringing @returns {CalleeScript} */
  unavailable: (after = 0.3) => ({ failCode: 480, failAfterS: after, ringAfterS: after }),
  /** @returns {CalleeScript} */
  decline: (after = 1) => ({ failCode: 603, failAfterS: after }),
  /** @returns {CalleeScript} */
  unreachable: () => ({ failCode: 404, failAfterS: 0.05 }),
};

module.exports = { Emulator, Session, Call, ASR, Conference, CALLEES, LIMITS, INBOUND_SCENARIOS, CALLBACK_SCENARIOS, compileScenarios };
