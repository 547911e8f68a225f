// @ts-check
/*
 * Tandem's callback scenario for Voximplant VoxEngine: one session per attempt to call a
 * customer back. Tandem starts it with the Management API's StartScenarios (the callback rule),
 * its custom data a signed callback token; no call comes in.
 *
 *   Started       remember accessURL / accessSecureURL; load the configuration; POST a
 *                 RegisterCall carrying callback_token to Tandem's intake (signed, retried). The
 *                 reply's callback names the customer's number and the caller id he sees.
 *   HttpRequest   a command from Tandem, signature checked: dial (the reserved operator),
 *                 cancel, hangup
 *   operator leg  Ringing: report operator_ringing
 *                 Connected: report operator_answered; say the operator line to him; call the
 *                 customer (callPSTN, caller id = the center's number)
 *                 Failed: report dial_failed; wait a while for another dial, then end
 *                 Disconnected: report call_ended (operator) and end
 *   customer leg  Ringing: report customer_ringing
 *                 Connected: bridge him to the operator; report customer_answered
 *                 Failed (or no answer in time): report customer_failed; tell the operator;
 *                 end (whether to try again is Tandem's)
 *                 Disconnected: report call_ended (caller) and end
 *
 * Deployment, configuration and signatures are those of scenario.js (the same application's
 * storage key tandem.config and secret tandem_config, Standard Webhooks both ways); see
 * clients/voxengine/README.md. The small helpers below (configuration, signing, the outbox) are
 * a trimmed copy of scenario.js's: VoxEngine runs each rule's scenarios as one script, and
 * scenario.js registers inbound-call handlers at its top level, so the two cannot simply be
 * attached to one rule.
 */

// ---- Configuration -------------------------------------------------------------------------

/**
 * @typedef {Object} CallbackConfig
 * @property {string} backendUrl         Tandem's base URL
 * @property {string} secret             the shared cloud secret (tandem serve --cloud-secret)
 * @property {string} voice              TTS voice as "Provider.name" in VoiceList
 * @property {string} operatorText       said to the operator while the customer's phone rings
 * @property {string} customerFailedText said to the operator when the customer does not answer
 * @property {number} requestTimeoutS    one HTTP attempt to Tandem
 * @property {number} retryFirstDelayMs  backoff before the second attempt; doubles per retry
 * @property {number} retryMaxDelayMs    backoff cap
 * @property {number} intakeMaxAttempts  attempts to register the callback
 * @property {number} eventMaxAttempts   attempts per event report
 * @property {number} ringTimeoutS       the operator's ring timeout when a dial carries none
 * @property {number} customerRingTimeoutS the customer's ring timeout when Tandem gives none
 * @property {number} redialWaitS        after a failed operator dial, how long to wait for another
 * @property {number} storageTimeoutMs   how long to wait for the stored configuration
 */

/** @type {CallbackConfig} */
const CB_DEFAULTS = {
  backendUrl: 'https://tandem.example.com',
  secret: '',
  voice: 'Amazon.en_US_Joanna',
  operatorText: 'Calling the customer back. Please hold.',
  customerFailedText: 'The customer did not answer. Goodbye.',
  requestTimeoutS: 8,
  retryFirstDelayMs: 500,
  retryMaxDelayMs: 8000,
  intakeMaxAttempts: 8,
  eventMaxAttempts: 6,
  ringTimeoutS: 20,
  customerRingTimeoutS: 30,
  redialWaitS: 30,
  storageTimeoutMs: 3000,
};

const CB_STORAGE_KEY = 'tandem.config';
const CB_SECRET_NAME = 'tandem_config';
const CB_TOLERANCE_S = 300;
const CB_DRAIN_LIMIT_MS = 45000;

require(Modules.ApplicationStorage);

// ---- Session state -------------------------------------------------------------------------

/** @type {CallbackConfig} */
const cfg = Object.assign({}, CB_DEFAULTS);
let sessionAccessURL = '';
let sessionAccessSecureURL = '';
let session = '';
let seq = 0;
let token = '';
let tandemCallId = '';
/** @type {{ customerNumber: string, callerId: string, operatorText: string, timeoutS: number } | null} */
let customer = null;

/**
 * waiting: registered, no operator yet; operator: he answered, the customer rings; talking:
 * both on; over: ending.
 * @type {'new' | 'waiting' | 'operator' | 'talking' | 'over'}
 */
let stage = 'new';

/**
 * @typedef {Object} CbLeg
 * @property {Call} call
 * @property {number} dialedAt
 * @property {'ringing' | 'connected' | 'ended'} state
 * @property {boolean} rang
 * @property {'' | 'timeout' | 'cancel' | 'system'} stop
 * @property {number | null} timer
 */

/** @type {(CbLeg & { offerId: string }) | null} */
let op = null;
/** @type {CbLeg | null} */
let cust = null;
let talkFrom = 0;
/** @type {number | null} */
let redialTimer = null;
/** @type {{ [offerId: string]: boolean }} */
const offersSeen = {};
/** @type {Call[]} */
const ourHangups = [];
/** @type {{ [id: string]: string }} */
const repliesById = {};
/** @type {string[]} */
const replyOrder = [];

// ---- Helpers (a trimmed copy of scenario.js's) ---------------------------------------------

/** @param {string} msg */
function cbLog(msg) {
  Logger.write('[tandem callback] ' + msg);
}

/** @param {number | null} t */
function cbClear(t) {
  if (t !== null) clearTimeout(t);
}

/** @param {string} prefix */
function cbId(prefix) {
  seq++;
  return prefix + '_' + session + '_' + seq + '_' + Math.floor(Math.random() * 0x7fffffff).toString(36);
}

/** JSON with non-ASCII escaped, so the HMAC covers exactly the bytes sent. @param {unknown} v */
function cbJson(v) {
  return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + ('0000' + c.charCodeAt(0).toString(16)).slice(-4));
}

/** "v1," + base64 of HMAC-SHA256(secret, id.ts.body). @param {string} id @param {string} ts @param {string} body */
function cbSign(id, ts, body) {
  const hex = Crypto.hmac_sha256(cfg.secret, id + '.' + ts + '.' + body);
  /** @type {number[]} */
  const bytes = [];
  for (let i = 0; i + 1 < hex.length; i += 2) bytes.push(parseInt(hex.substr(i, 2), 16));
  return 'v1,' + base64_encode(bytes);
}

/** Constant-time string comparison. @param {string} a @param {string} b */
function cbSame(a, b) {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (i < a.length ? a.charCodeAt(i) : 0) ^ (i < b.length ? b.charCodeAt(i) : 0);
  return diff === 0;
}

/** Says text to a call in the configured voice. @param {Call} call @param {string} text */
function cbSay(call, text) {
  /** @type {any} */
  let voice = VoiceList;
  for (const part of cfg.voice.split('.')) voice = voice ? voice[part] : undefined;
  call.say(text, voice ? { voice: voice } : {});
}

/** @param {Call} call */
function cbHangup(call) {
  if (call.state() === 'TERMINATED') return;
  ourHangups.push(call);
  call.hangup();
}

/** Merges JSON overrides; keys this scenario does not use (scenario.js's) are skipped. @param {string} source @param {string} text */
function cbOverride(source, text) {
  /** @type {any} */
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    cbLog(source + ' is not JSON; ignored');
    return;
  }
  if (!parsed || typeof parsed !== 'object') return;
  /** @type {any} */
  const target = cfg;
  /** @type {any} */
  const defaults = CB_DEFAULTS;
  for (const key of Object.keys(parsed)) {
    if (key in defaults && typeof parsed[key] === typeof defaults[key]) target[key] = parsed[key];
  }
}

/** The stored configuration, then the secret; never rejects. @returns {Promise<void>} */
function cbLoadConfig() {
  /** @type {Promise<StorageKey | null>} */
  let stored;
  try {
    stored = ApplicationStorage.get(CB_STORAGE_KEY);
  } catch (err) {
    stored = Promise.reject(err);
  }
  /** @type {Promise<StorageKey | null | 'timeout'>} */
  const timeout = new Promise((resolve) => {
    setTimeout(() => resolve('timeout'), cfg.storageTimeoutMs);
  });
  return Promise.race([stored, timeout])
    .then((key) => {
      if (key && key !== 'timeout' && key.value) cbOverride('stored configuration', key.value);
    })
    .catch((err) => cbLog('configuration storage failed: ' + err))
    .then(() => {
      /** @type {any} */
      const engine = VoxEngine;
      if (typeof engine.getSecretValue !== 'function') return;
      try {
        const value = engine.getSecretValue(CB_SECRET_NAME);
        if (typeof value === 'string' && value) cbOverride('secret ' + CB_SECRET_NAME, value);
      } catch (err) {
        cbLog('reading the secret failed: ' + err);
      }
    });
}

// ---- Outbox: one request at a time, retried with backoff ------------------------------------

/** @type {Promise<unknown>} */
let outboxTail = Promise.resolve();
let pending = 0;

/**
 * @typedef {{ ok: true, json: any } | { ok: false, code: number, error: string }} CbResult
 */

/**
 * POSTs a signed JSON body after the requests before it, retrying transport errors, 408, 429
 * and 5xx with exponential backoff up to maxAttempts; the webhook-id stays the same.
 * @param {string} path @param {object} payload @param {number} maxAttempts
 * @returns {Promise<CbResult>}
 */
function cbPost(path, payload, maxAttempts) {
  pending++;
  const run = async () => {
    const url = cfg.backendUrl.replace(/\/+$/, '') + path;
    const body = cbJson(payload);
    const id = cbId('msg');
    let delay = cfg.retryFirstDelayMs;
    for (let attempt = 1; ; attempt++) {
      const ts = String(Math.floor(Date.now() / 1000));
      /** @type {{ code: number, text?: string, error?: string }} */
      let res;
      try {
        res = await Net.httpRequestAsync(url, {
          method: 'POST',
          postData: body,
          headers: { 'Content-Type': 'application/json', 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': cbSign(id, ts, body) },
          timeout: cfg.requestTimeoutS,
          connectionTimeout: Math.min(6, cfg.requestTimeoutS),
        });
      } catch (err) {
        res = { code: -1, error: String(err) };
      }
      if (res.code >= 200 && res.code < 300) {
        /** @type {any} */
        let json = {};
        try {
          json = res.text ? JSON.parse(res.text) : {};
        } catch (err) {
          cbLog('POST ' + path + ': reply is not JSON');
        }
        return /** @type {CbResult} */ ({ ok: true, json: json });
      }
      const retryable = (res.code <= 0 && res.code !== -2) || res.code === 408 || res.code === 429 || res.code >= 500;
      const error = res.code <= 0 ? 'transport error ' + res.code + ' ' + (res.error || '') : 'HTTP ' + res.code + ' ' + (res.text || '').slice(0, 200);
      if (!retryable || attempt >= maxAttempts) {
        cbLog('POST ' + path + ' failed (attempt ' + attempt + '/' + maxAttempts + '): ' + error);
        return /** @type {CbResult} */ ({ ok: false, code: res.code, error: error });
      }
      await new Promise((resolve) => {
        setTimeout(() => resolve(undefined), delay * (0.8 + 0.4 * Math.random()));
      });
      delay = Math.min(delay * 2, cfg.retryMaxDelayMs);
    }
  };
  /** @type {Promise<CbResult>} */
  const result = outboxTail.then(run, run);
  outboxTail = result.then(
    () => {
      pending--;
    },
    () => {
      pending--;
    },
  );
  return result;
}

/** Resolves once every report is sent, or after CB_DRAIN_LIMIT_MS. @returns {Promise<void>} */
function cbDrained() {
  if (pending === 0) return Promise.resolve();
  return new Promise((resolve) => {
    outboxTail.then(() => resolve(undefined));
    setTimeout(resolve, CB_DRAIN_LIMIT_MS);
  });
}

/**
 * Reports one event of the callback under the operator's offer.
 * @param {object} event e.g. { customer_answered: { ring_time_ms: 3100 } }
 */
function cbReport(event) {
  if (!tandemCallId) {
    cbLog('not reporting ' + Object.keys(event)[0] + ': not registered');
    return Promise.resolve();
  }
  /** @type {{ [key: string]: unknown }} */
  const payload = { request_id: cbId('event'), occurred_at: new Date().toISOString() };
  if (op) payload.offer_id = op.offerId;
  Object.assign(payload, event);
  return cbPost('/v1/calls/' + encodeURIComponent(tandemCallId) + '/events', payload, cfg.eventMaxAttempts);
}

// ---- Registering -----------------------------------------------------------------------------

async function cbRegister() {
  if (!token) {
    cbLog('no callback token in the custom data: not started by Tandem');
    cbFinish();
    return;
  }
  if (!cfg.secret) {
    cbLog('no secret configured');
    cbFinish();
    return;
  }
  stage = 'waiting';
  const res = await cbPost(
    '/v1/calls',
    { request_id: cbId('intake'), session_id: session, access_url: sessionAccessURL, access_secure_url: sessionAccessSecureURL, callback_token: token },
    cfg.intakeMaxAttempts,
  );
  if (!res.ok) {
    cbLog('Tandem refused or cannot be reached: ' + res.error);
    cbFinish();
    return;
  }
  const id = String(res.json.call_id || '');
  if (tandemCallId && id && id !== tandemCallId) cbLog('intake returned call ' + id + ' but commands name ' + tandemCallId);
  if (!tandemCallId) tandemCallId = id;
  const cb = res.json.callback || {};
  customer = {
    customerNumber: String(cb.customer_number || ''),
    callerId: String(cb.caller_id || ''),
    operatorText: String(cb.operator_text || cfg.operatorText),
    timeoutS: Number(cb.customer_timeout_s || 0) > 0 ? Number(cb.customer_timeout_s) : cfg.customerRingTimeoutS,
  };
  if (!customer.customerNumber || !customer.callerId) {
    cbLog('the intake reply names no customer_number or caller_id');
    cbFinish();
    return;
  }
  cbLog('registered callback ' + tandemCallId);
  if (op && op.state === 'connected') cbDialCustomer(); // the operator answered before the reply came
}

// ---- Commands ------------------------------------------------------------------------------

/**
 * @param {any} raw
 * @returns {{ ok: boolean, error?: string }}
 */
function cbCommand(raw) {
  const type = String(raw.type || '');
  const callIdIn = String(raw.call_id || '');
  if (callIdIn && tandemCallId && callIdIn !== tandemCallId) return { ok: false, error: 'command for another call' };
  if (callIdIn && !tandemCallId) tandemCallId = callIdIn;
  cbLog('command ' + type + (raw.offer_id ? ' ' + raw.offer_id : ''));
  switch (type) {
    case 'dial':
      return cbDial(raw);
    case 'cancel':
      if (op && op.offerId === String(raw.offer_id || '') && op.state === 'ringing') cbStopLeg(op, 'cancel');
      else if (op && op.offerId === String(raw.offer_id || '') && op.state === 'connected') return { ok: false, error: 'already answered' };
      offersSeen[String(raw.offer_id || '')] = true;
      return { ok: true };
    case 'hangup':
      if (stage === 'talking') cbEnd('HANGUP_PARTY_SYSTEM');
      else cbFinish();
      return { ok: true };
  }
  return { ok: false, error: 'the callback scenario does not do ' + type };
}

/** Rings the operator Tandem reserved. @param {any} raw */
function cbDial(raw) {
  const offerId = String(raw.offer_id || '');
  const kind = String((raw.contact && raw.contact.kind) || '');
  const target = String((raw.contact && raw.contact.target) || '');
  if (!offerId || !target) return { ok: false, error: 'dial needs offer_id and contact' };
  if (offersSeen[offerId]) return { ok: true };
  if (stage !== 'waiting') return { ok: false, error: 'the callback is ' + stage };
  if (op && op.state !== 'ended') return { ok: false, error: 'an operator leg is in progress' };
  const timeoutS = Number(raw.timeout_s) > 0 ? Number(raw.timeout_s) : cfg.ringTimeoutS;
  const callerId = String(raw.caller_id || (customer && customer.customerNumber) || '');
  const tag = { 'X-Tandem-Call-Id': tandemCallId, 'X-Tandem-Offer-Id': offerId };
  offersSeen[offerId] = true;
  /** @type {Call} */
  let call;
  try {
    if (kind === 'user') {
      call = VoxEngine.callUser({ username: target, callerid: callerId, extraHeaders: Object.assign({ 'VI-CallTimeout': String(Math.min(400, Math.max(10, Math.ceil(timeoutS)))) }, tag) });
    } else if (kind === 'sip') {
      call = VoxEngine.callSIP(target, { callerid: callerId, headers: tag });
    } else if (kind === 'pstn') {
      call = VoxEngine.callPSTN(target, callerId);
    } else {
      return { ok: false, error: 'unknown contact kind ' + kind };
    }
  } catch (err) {
    cbLog('dial ' + kind + ' ' + target + ' threw: ' + err);
    op = null;
    cbReport({ dial_failed: { code: 404, reason: 'dial failed: ' + err, ring_time_ms: 0 } }).then(cbAwaitRedial);
    return { ok: true };
  }
  cbClear(redialTimer);
  /** @type {CbLeg & { offerId: string }} */
  const l = { call: call, offerId: offerId, dialedAt: Date.now(), state: 'ringing', rang: false, stop: '', timer: null };
  op = l;
  l.timer = setTimeout(() => {
    if (l.state === 'ringing') cbStopLeg(l, 'timeout');
  }, timeoutS * 1000);
  call.addEventListener(CallEvents.Ringing, () => {
    if (l.rang || l.state !== 'ringing' || l.stop) return;
    l.rang = true;
    cbReport({ operator_ringing: {} });
  });
  call.addEventListener(CallEvents.Connected, () => cbOperatorAnswered(l));
  call.addEventListener(CallEvents.Failed, (e) => cbOperatorFailed(l, e.code, e.reason));
  call.addEventListener(CallEvents.Disconnected, () => cbOperatorLeft(l));
  return { ok: true };
}

/** @param {CbLeg} l @param {CbLeg['stop']} why */
function cbStopLeg(l, why) {
  if (l.state !== 'ringing') return;
  l.stop = why;
  cbClear(l.timer);
  cbHangup(l.call); // VoxEngine then fires Failed (487)
}

/** @param {CbLeg & { offerId: string }} l */
function cbOperatorAnswered(l) {
  cbClear(l.timer);
  if (l.state !== 'ringing' || l.stop || op !== l || stage !== 'waiting') {
    l.state = 'ended';
    cbHangup(l.call);
    return;
  }
  l.state = 'connected';
  stage = 'operator';
  cbReport({ operator_answered: { ring_time_ms: Date.now() - l.dialedAt } });
  if (customer) cbDialCustomer();
}

/** The operator is on: tell him what is happening and call the customer. */
function cbDialCustomer() {
  if (!op || op.state !== 'connected' || !customer || cust) return;
  if (customer.operatorText) cbSay(op.call, customer.operatorText);
  /** @type {Call} */
  let call;
  try {
    call = VoxEngine.callPSTN(customer.customerNumber, customer.callerId);
  } catch (err) {
    cbLog('calling the customer threw: ' + err);
    cbCustomerFailed(null, 404, 'dial failed: ' + err);
    return;
  }
  /** @type {CbLeg} */
  const l = { call: call, dialedAt: Date.now(), state: 'ringing', rang: false, stop: '', timer: null };
  cust = l;
  l.timer = setTimeout(() => {
    if (l.state === 'ringing') cbStopLeg(l, 'timeout');
  }, customer.timeoutS * 1000);
  call.addEventListener(CallEvents.Ringing, () => {
    if (l.rang || l.state !== 'ringing') return;
    l.rang = true;
    cbReport({ customer_ringing: {} });
  });
  call.addEventListener(CallEvents.Connected, () => {
    cbClear(l.timer);
    if (l.state !== 'ringing' || l.stop || !op || op.state !== 'connected') {
      l.state = 'ended';
      cbHangup(l.call);
      return;
    }
    l.state = 'connected';
    stage = 'talking';
    talkFrom = Date.now();
    op.call.stopPlayback();
    VoxEngine.sendMediaBetween(op.call, l.call);
    cbReport({ customer_answered: { ring_time_ms: talkFrom - l.dialedAt } });
  });
  call.addEventListener(CallEvents.Failed, (e) => cbCustomerFailed(l, l.stop === 'timeout' ? 408 : e.code, l.stop === 'timeout' ? 'no answer in time' : e.reason));
  call.addEventListener(CallEvents.Disconnected, () => {
    const was = l.state;
    l.state = 'ended';
    if (was === 'connected' && ourHangups.indexOf(l.call) < 0) cbEnd('HANGUP_PARTY_CALLER');
  });
}

/** @param {CbLeg | null} l @param {number} code @param {string} reason */
function cbCustomerFailed(l, code, reason) {
  if (l) {
    cbClear(l.timer);
    if (l.state === 'ended') return;
    l.state = 'ended';
    if (l.stop === 'system') return; // we ended it: Tandem hears of the end from elsewhere
  }
  if (stage !== 'operator') return;
  stage = 'over';
  cbReport({ customer_failed: { code: code, reason: reason, ring_time_ms: l ? Date.now() - l.dialedAt : 0 } });
  // The operator hears why, then the session ends (Tandem decides whether to try again).
  if (op && op.state === 'connected' && cfg.customerFailedText) {
    const o = op;
    o.call.stopPlayback(); // the operator line may still play; stopping it fires no PlaybackFinished
    o.call.addEventListener(CallEvents.PlaybackFinished, () => cbFinish());
    cbSay(o.call, cfg.customerFailedText);
    setTimeout(cbFinish, 15000);
    return;
  }
  cbFinish();
}

/** @param {CbLeg & { offerId: string }} l @param {number} code @param {string} reason */
function cbOperatorFailed(l, code, reason) {
  cbClear(l.timer);
  if (l.state === 'ended') return;
  l.state = 'ended';
  const ring = Date.now() - l.dialedAt;
  if (l.stop === 'timeout') cbReport({ dial_failed: { code: 408, reason: 'no answer in time', ring_time_ms: ring } }).then(cbAwaitRedial);
  else if (l.stop) cbAwaitRedial(); // cancelled: Tandem knows
  else cbReport({ dial_failed: { code: code, reason: reason, ring_time_ms: ring } }).then(cbAwaitRedial);
}

/** After a failed operator dial Tandem may reserve another operator: wait for his dial a while. */
function cbAwaitRedial() {
  if (stage !== 'waiting') return;
  cbClear(redialTimer);
  redialTimer = setTimeout(() => {
    if (stage === 'waiting' && (!op || op.state === 'ended')) {
      cbLog('no other operator within ' + cfg.redialWaitS + ' s');
      cbFinish();
    }
  }, cfg.redialWaitS * 1000);
}

/** @param {CbLeg & { offerId: string }} l */
function cbOperatorLeft(l) {
  const was = l.state;
  l.state = 'ended';
  if (was !== 'connected' || ourHangups.indexOf(l.call) >= 0) return;
  cbEnd('HANGUP_PARTY_OPERATOR');
}

/**
 * The callback is over after the operator answered: report who ended it and the talk time
 * (0 when the customer never answered), hang up the rest.
 * @param {'HANGUP_PARTY_CALLER' | 'HANGUP_PARTY_OPERATOR' | 'HANGUP_PARTY_SYSTEM'} who
 */
function cbEnd(who) {
  if (stage !== 'operator' && stage !== 'talking') return;
  const talk = stage === 'talking' ? Date.now() - talkFrom : 0;
  stage = 'over';
  cbReport({ call_ended: { hung_up_by: who, talk_time_ms: talk } });
  cbFinish();
}

let cbFinishing = false;

/** Hangs up what is left, lets the reports drain, and ends the session. */
function cbFinish() {
  if (cbFinishing) return;
  cbFinishing = true;
  stage = 'over';
  cbClear(redialTimer);
  for (const l of [op, cust]) {
    if (!l) continue;
    if (l.state === 'ringing') cbStopLeg(l, 'system');
    else if (l.state === 'connected') {
      l.state = 'ended';
      cbHangup(l.call);
    }
  }
  cbDrained().then(() => {
    cbLog('callback session done');
    VoxEngine.terminate();
  });
}

/**
 * Checks a command's Standard Webhooks signature; "" when good, else why not.
 * @param {{ key: string, value: string }[]} headers @param {string} body
 */
function cbVerify(headers, body) {
  /** @type {{ [name: string]: string }} */
  const h = {};
  for (const pair of headers || []) h[String(pair.key).toLowerCase()] = String(pair.value);
  const id = h['webhook-id'] || '';
  const ts = h['webhook-timestamp'] || '';
  const sigs = h['webhook-signature'] || '';
  if (!cfg.secret) return 'no secret configured';
  if (!id || !ts || !sigs) return 'missing webhook headers';
  if (!/^[0-9]{1,12}$/.test(ts)) return 'bad webhook-timestamp';
  if (Math.abs(Date.now() / 1000 - Number(ts)) > CB_TOLERANCE_S) return 'stale webhook-timestamp';
  const want = cbSign(id, ts, body);
  let match = false;
  for (const sig of sigs.split(' ')) if (sig.indexOf('v1,') === 0 && cbSame(sig, want)) match = true;
  return match ? '' : 'bad signature';
}

// ---- Application events --------------------------------------------------------------------

/** @type {Promise<void>} */
let cbConfigLoaded = Promise.resolve();

VoxEngine.addEventListener(AppEvents.Started, (e) => {
  sessionAccessURL = e.accessURL;
  sessionAccessSecureURL = e.accessSecureURL;
  session = String(e.sessionId);
  token = VoxEngine.customData() || '';
  cbConfigLoaded = cbLoadConfig();
  cbConfigLoaded.then(cbRegister);
});

VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  e.call.reject(486); // the callback rule takes no inbound calls
});

VoxEngine.addEventListener(AppEvents.HttpRequest, (e) => {
  const problem = cbVerify(e.headers, e.content || '');
  if (problem) {
    cbLog('refused a request to the access URL: ' + problem);
    return JSON.stringify({ ok: false, error: problem });
  }
  let id = '';
  for (const pair of e.headers || []) if (String(pair.key).toLowerCase() === 'webhook-id') id = String(pair.value);
  if (Object.prototype.hasOwnProperty.call(repliesById, id)) return repliesById[id];
  /** @type {{ ok: boolean, error?: string }} */
  let outcome;
  try {
    const cmd = JSON.parse(e.content || '');
    outcome = cmd && typeof cmd === 'object' ? cbCommand(cmd) : { ok: false, error: 'body is not a command' };
  } catch (err) {
    outcome = { ok: false, error: 'body is not JSON' };
  }
  if (!outcome.ok) cbLog('command not carried out: ' + outcome.error);
  const reply = JSON.stringify(outcome);
  repliesById[id] = reply;
  replyOrder.push(id);
  if (replyOrder.length > 200) delete repliesById[/** @type {string} */ (replyOrder.shift())];
  return reply;
});
