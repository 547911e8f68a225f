// @ts-check
/*
 * Tandem's shared scenario helpers for Voximplant VoxEngine: configuration loading, Standard
 * Webhooks signatures both ways, the signed POST with retries and its one-at-a-time outbox, ids,
 * logging, TTS voices, calls placed to a contact, remembered commands.
 *
 * VoxEngine runs all the scenarios of one routing rule in one shared space, in the order the
 * rule lists them: the inbound rule runs [common.js, scenario.js], the callback rule
 * [common.js, callback.js]. This file only defines: no event handlers, nothing that runs on
 * load. What differs between the scenarios (their configuration, its defaults, whether the
 * custom data carries overrides) they pass in.
 *
 * Signatures (both directions): Standard Webhooks headers webhook-id, webhook-timestamp and
 * webhook-signature = "v1," + base64(HMAC-SHA256(secret, id + "." + timestamp + "." + body)),
 * with the secret string itself as the key. See clients/voxengine/README.md for deployment.
 */

/**
 * The settings the shared helpers read; each scenario's configuration has these and more.
 * @typedef {Object} CommonConfig
 * @property {string} backendUrl        Tandem's base URL, e.g. "https://tandem.example.com"
 * @property {string} secret            the shared cloud secret (tandem serve --cloud-secret)
 * @property {string} voice             TTS voice as "Provider.name" in VoiceList, e.g. "Amazon.en_US_Joanna"
 * @property {number} requestTimeoutS   one HTTP attempt to Tandem (VoxEngine caps it at 90)
 * @property {number} retryFirstDelayMs backoff before the second attempt; doubles per retry
 * @property {number} retryMaxDelayMs   backoff cap
 * @property {number} storageTimeoutMs  how long to wait for the stored configuration
 */

/** The application storage key holding configuration overrides (JSON). */
const CONFIG_STORAGE_KEY = 'tandem.config';
/** The application secret holding configuration overrides (JSON), the secret among them. */
const CONFIG_SECRET_NAME = 'tandem_config';
/** The webhook timestamp tolerance, as Tandem's: 5 minutes either way. */
const SIGNATURE_TOLERANCE_S = 300;
/** Outbox bound: VoxEngine throws past 35 requests active plus queued; we send one at a time. */
const OUTBOX_LIMIT = 30;
/** How long to wait for reports to drain before ending the session (a session without calls
 * ends by itself after 60 s, so stay below that). */
const DRAIN_LIMIT_MS = 45000;

// ---- Session state shared by the helpers --------------------------------------------------

/** The tag of this session's log lines (callback.js sets its own). */
let logTag = '[tandem]';
let sessionId = ''; // set by the scenario's Started handler
let sequence = 0; // for request and webhook ids

/** Calls this scenario hung up itself (VoxEngine reports those like any other hangup). */
/** @type {Call[]} */
const localHangups = [];

/** Commands already acted on, by webhook-id, with the reply given (duplicates get it again). */
/** @type {{ [id: string]: string }} */
const seenCommands = {};
/** @type {string[]} */
const seenOrder = [];

// ---- Small helpers -------------------------------------------------------------------------

/** @param {string} msg */
function log(msg) {
  Logger.write(logTag + ' ' + msg);
}

/** @param {number | null} t */
function clear(t) {
  if (t !== null) clearTimeout(t);
}

/** @param {number} ms @returns {Promise<void>} */
function sleep(ms) {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}

/** @param {string} prefix */
function newId(prefix) {
  sequence++;
  return prefix + '_' + sessionId + '_' + sequence + '_' + Math.floor(Math.random() * 0x7fffffff).toString(36);
}

/**
 * JSON with every non-ASCII character escaped, so the body's bytes do not depend on how the
 * platform encodes strings: the HMAC is computed over exactly the characters that are sent.
 * @param {unknown} value
 */
function asciiJson(value) {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + ('0000' + c.charCodeAt(0).toString(16)).slice(-4));
}

/** @param {string} hex @returns {number[]} */
function hexToBytes(hex) {
  /** @type {number[]} */
  const out = [];
  for (let i = 0; i + 1 < hex.length; i += 2) out.push(parseInt(hex.substr(i, 2), 16));
  return out;
}

/**
 * The webhook-signature value for a message: "v1," + base64 of the HMAC-SHA256.
 * @param {string} secret @param {string} id @param {string} ts @param {string} body
 */
function sign(secret, id, ts, body) {
  const hex = Crypto.hmac_sha256(secret, id + '.' + ts + '.' + body);
  return 'v1,' + base64_encode(hexToBytes(hex));
}

/**
 * Compares two strings in time that depends only on their lengths, never stopping early.
 * @param {string} a @param {string} b
 */
function sameString(a, b) {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    diff |= (i < a.length ? a.charCodeAt(i) : 0) ^ (i < b.length ? b.charCodeAt(i) : 0);
  }
  return diff === 0;
}

/** @param {number} n @param {number} lo @param {number} hi */
function clamp(n, lo, hi) {
  return Math.min(hi, Math.max(lo, n));
}

/**
 * Looks a "Provider.name" path up in a VoxEngine namespace such as VoiceList.
 * @param {unknown} root @param {string} path
 * @returns {any}
 */
function lookup(root, path) {
  /** @type {any} */
  let v = root;
  for (const part of path.split('.')) {
    if (v === null || v === undefined) return undefined;
    v = v[part];
  }
  return v;
}

/** say() parameters for a voice named "Provider.name" ({} when VoiceList has no such voice). @param {string} voice @returns {CallSayParameters} */
function sayParameters(voice) {
  const found = lookup(VoiceList, voice);
  return found ? { voice: found } : {};
}

/** @param {Call} call */
function hangupLocally(call) {
  if (call.state() === 'TERMINATED') return;
  localHangups.push(call);
  call.hangup();
}

/** @param {Call} call */
function hungUpLocally(call) {
  return localHangups.indexOf(call) >= 0;
}

/**
 * Places an outbound call to a contact (kind user, sip or pstn; anything else throws), tagged
 * with headers where the kind takes them.
 * @param {string} kind @param {string} target @param {string} callerid @param {number} timeoutS
 * @param {{ [name: string]: string }} tag
 * @param {string} [displayName] the caller's name for the callee's phone (user and sip), else
 *   the caller id when given as ""; not given: none
 * @returns {Call}
 */
function placeCall(kind, target, callerid, timeoutS, tag, displayName) {
  if (kind === 'user') {
    /** @type {CallUserParameters} */
    const params = {
      username: target,
      callerid: callerid,
      // The cloud's own no-answer timeout (10–400 s); our timer is the one that counts.
      extraHeaders: Object.assign({ 'VI-CallTimeout': String(clamp(Math.ceil(timeoutS), 10, 400)) }, tag),
    };
    if (displayName !== undefined) params.displayName = displayName || callerid;
    return VoxEngine.callUser(params);
  }
  if (kind === 'sip') {
    /** @type {CallSIPParameters} */
    const params = { callerid: callerid, headers: tag };
    if (displayName !== undefined) params.displayName = displayName || callerid;
    return VoxEngine.callSIP(target, params);
  }
  // callPSTN takes no headers; the caller id must be rented, verified or the caller's own.
  if (kind === 'pstn') return VoxEngine.callPSTN(target, callerid);
  throw new Error('unknown contact kind ' + kind);
}

// ---- Configuration -------------------------------------------------------------------------

/**
 * Merges a JSON object of overrides into a configuration; wrong types are ignored with a log
 * line, and so are keys the defaults lack (with a log line when logUnknown: the callback
 * scenario shares the inbound scenario's configuration and skips its keys quietly).
 * @param {CommonConfig} config the configuration to change
 * @param {CommonConfig} defaults the scenario's defaults: the keys it takes, and their types
 * @param {string} source @param {string} text @param {boolean} logUnknown
 */
function applyOverrides(config, defaults, source, text, logUnknown) {
  /** @type {any} */
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    log(source + ' is not JSON; ignored');
    return;
  }
  if (!parsed || typeof parsed !== 'object') return;
  /** @type {any} */
  const target = config;
  /** @type {any} */
  const known = defaults;
  for (const key of Object.keys(parsed)) {
    if (!(key in known)) {
      if (logUnknown) log(source + ': unknown setting ' + key);
    } else if (Array.isArray(known[key]) ? !Array.isArray(parsed[key]) : typeof parsed[key] !== typeof known[key]) {
      log(source + ': setting ' + key + ' has the wrong type');
    } else {
      target[key] = parsed[key];
    }
  }
}

/**
 * Reads the stored configuration, then the application's secret, then (fromCustomData) the
 * session's custom data when it is JSON, into config; never rejects.
 * @param {CommonConfig} config @param {CommonConfig} defaults
 * @param {{ fromCustomData: boolean, logUnknown: boolean }} how
 * @returns {Promise<void>}
 */
function loadConfig(config, defaults, how) {
  /** @type {Promise<StorageKey | null>} */
  let stored;
  try {
    stored = ApplicationStorage.get(CONFIG_STORAGE_KEY);
  } catch (err) {
    stored = Promise.reject(err);
  }
  /** @type {Promise<StorageKey | null | 'timeout'>} */
  const timeout = new Promise((resolve) => {
    setTimeout(() => resolve('timeout'), config.storageTimeoutMs);
  });
  return Promise.race([stored, timeout])
    .then((key) => {
      if (key === 'timeout') log('configuration storage did not answer in time; using defaults');
      else if (key && key.value) applyOverrides(config, defaults, 'stored configuration', key.value, how.logUnknown);
    })
    .catch((err) => {
      log('configuration storage failed: ' + err + '; using defaults');
    })
    .then(() => {
      // VoxEngine.getSecretValue is newer than the type declarations we check against: look
      // for it rather than assume it.
      /** @type {any} */
      const engine = VoxEngine;
      if (typeof engine.getSecretValue === 'function') {
        /** @type {unknown} */
        let value;
        try {
          value = engine.getSecretValue(CONFIG_SECRET_NAME);
        } catch (err) {
          log('reading the secret ' + CONFIG_SECRET_NAME + ' failed: ' + err);
        }
        if (typeof value === 'string' && value) applyOverrides(config, defaults, 'secret ' + CONFIG_SECRET_NAME, value, how.logUnknown);
      }
      if (how.fromCustomData) {
        const session = VoxEngine.customData();
        if (session && session.charAt(0) === '{') applyOverrides(config, defaults, 'session custom data', session, how.logUnknown);
      }
      if (!config.secret) log('no secret configured: Tandem will refuse the requests');
    });
}

// ---- Outbox: every request to Tandem, one at a time, retried with backoff -----------------

/** @type {Array<() => Promise<void>>} */
const outbox = [];
let outboxBusy = false;
/** @type {Array<() => void>} */
let drainWaiters = [];

/**
 * Runs job after the jobs before it. Resolves with its result, or null when the outbox is full
 * or the job threw.
 * @template T
 * @param {string} what
 * @param {() => Promise<T>} job
 * @returns {Promise<T | null>}
 */
function enqueue(what, job) {
  return new Promise((resolve) => {
    if (outbox.length >= OUTBOX_LIMIT) {
      log('outbox full; dropped ' + what);
      resolve(null);
      return;
    }
    outbox.push(() =>
      job().then(resolve, (err) => {
        log(what + ' failed: ' + err);
        resolve(null);
      }),
    );
    pump();
  });
}

function pump() {
  if (outboxBusy) return;
  const next = outbox.shift();
  if (!next) {
    const waiters = drainWaiters;
    drainWaiters = [];
    waiters.forEach((w) => w());
    return;
  }
  outboxBusy = true;
  next().then(() => {
    outboxBusy = false;
    pump();
  });
}

/** Resolves once the outbox is empty, or after DRAIN_LIMIT_MS. @returns {Promise<void>} */
function drained() {
  if (!outboxBusy && outbox.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    drainWaiters.push(resolve);
    setTimeout(resolve, DRAIN_LIMIT_MS);
  });
}

/**
 * @typedef {{ ok: true, json: any } | { ok: false, retryable: boolean, code: number, error: string }} PostResult
 */

/**
 * POSTs a signed JSON body to Tandem, retrying transport errors, 408, 429 and 5xx with
 * exponential backoff (with jitter) up to maxAttempts. The webhook-id stays the same across
 * attempts (like the body's request_id, it identifies the request); the timestamp is fresh.
 * @param {CommonConfig} config @param {string} path @param {object} payload @param {number} maxAttempts
 * @returns {Promise<PostResult>}
 */
async function postSigned(config, path, payload, maxAttempts) {
  const url = config.backendUrl.replace(/\/+$/, '') + path;
  const body = asciiJson(payload);
  const id = newId('msg');
  let delay = config.retryFirstDelayMs;
  for (let attempt = 1; ; attempt++) {
    const ts = String(Math.floor(Date.now() / 1000));
    /** @type {{ code: number, text?: string, error?: string }} */
    let res;
    try {
      res = await Net.httpRequestAsync(url, {
        method: 'POST',
        postData: body,
        headers: {
          'Content-Type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': ts,
          'webhook-signature': sign(config.secret, id, ts, body),
        },
        timeout: config.requestTimeoutS,
        connectionTimeout: Math.min(6, config.requestTimeoutS),
      });
    } catch (err) {
      // Thrown on VoxEngine's request limit, or by a platform that rejects instead of
      // resolving with a negative code: retry like a transport error.
      res = { code: -1, error: String(err) };
    }
    if (res.code >= 200 && res.code < 300) {
      /** @type {any} */
      let json = {};
      try {
        json = res.text ? JSON.parse(res.text) : {};
      } catch (err) {
        log('POST ' + path + ': reply is not JSON');
      }
      return { ok: true, json: json };
    }
    const retryable = (res.code <= 0 && res.code !== -2) || res.code === 408 || res.code === 429 || res.code >= 500;
    const error = res.code <= 0 ? 'transport error ' + res.code + ' ' + (res.error || '') : 'HTTP ' + res.code + ' ' + (res.text || '').slice(0, 200);
    if (!retryable || attempt >= maxAttempts) {
      log('POST ' + path + ' failed (attempt ' + attempt + '/' + maxAttempts + '): ' + error);
      return { ok: false, retryable: retryable, code: res.code, error: error };
    }
    log('POST ' + path + ' attempt ' + attempt + ' failed: ' + error + '; retrying');
    await sleep(delay * (0.8 + 0.4 * Math.random()));
    delay = Math.min(delay * 2, config.retryMaxDelayMs);
  }
}

// ---- Verifying Tandem's commands -----------------------------------------------------------

/**
 * Checks a request's Standard Webhooks signature; returns "" when it is good, else why not.
 * @param {string} secret @param {{ key: string, value: string }[]} headers @param {string} body
 */
function verify(secret, headers, body) {
  /** @type {{ [name: string]: string }} */
  const h = {};
  for (const pair of headers || []) h[String(pair.key).toLowerCase()] = String(pair.value);
  const id = h['webhook-id'] || '';
  const ts = h['webhook-timestamp'] || '';
  const sigs = h['webhook-signature'] || '';
  if (!secret) return 'no secret configured';
  if (!id || !ts || !sigs) return 'missing webhook headers';
  if (!/^[0-9]{1,12}$/.test(ts)) return 'bad webhook-timestamp';
  if (Math.abs(Date.now() / 1000 - Number(ts)) > SIGNATURE_TOLERANCE_S) return 'stale webhook-timestamp';
  const want = sign(secret, id, ts, body);
  let match = false;
  for (const sig of sigs.split(' ')) {
    if (sig.indexOf('v1,') === 0 && sameString(sig, want)) match = true; // no early exit
  }
  return match ? '' : 'bad signature';
}

/** @param {string} id @param {string} reply */
function remember(id, reply) {
  seenCommands[id] = reply;
  seenOrder.push(id);
  if (seenOrder.length > 200) {
    const old = seenOrder.shift();
    if (old !== undefined) delete seenCommands[old];
  }
}

/**
 * The reply to a request to the session's access URL: its signature checked, a duplicate
 * (same webhook-id) given the first reply again, else the command carried out by handle.
 * VoxEngine sends no status code of our choosing: the reply body says whether it was taken.
 * @param {string} secret @param {{ key: string, value: string }[]} headers @param {string} content
 * @param {(cmd: any) => { ok: boolean, error?: string }} handle
 * @returns {string}
 */
function commandReply(secret, headers, content, handle) {
  const problem = verify(secret, headers, content);
  if (problem) {
    log('refused a request to the access URL: ' + problem);
    return JSON.stringify({ ok: false, error: problem });
  }
  /** @type {string} */
  let id = '';
  for (const pair of headers || []) if (String(pair.key).toLowerCase() === 'webhook-id') id = String(pair.value);
  if (Object.prototype.hasOwnProperty.call(seenCommands, id)) return seenCommands[id];
  /** @type {any} */
  let cmd;
  try {
    cmd = JSON.parse(content);
  } catch (err) {
    const reply = JSON.stringify({ ok: false, error: 'body is not JSON' });
    remember(id, reply);
    return reply;
  }
  /** @type {{ ok: boolean, error?: string }} */
  let outcome;
  try {
    outcome = cmd && typeof cmd === 'object' ? handle(cmd) : { ok: false, error: 'body is not a command' };
  } catch (err) {
    log('command failed: ' + err);
    outcome = { ok: false, error: 'internal error' };
  }
  if (!outcome.ok) log('command not carried out: ' + outcome.error);
  const reply = JSON.stringify(outcome);
  remember(id, reply);
  return reply;
}
