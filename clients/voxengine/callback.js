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
 * Deployment: the callback routing rule runs two scenarios, in this order: common.js (the
 * helpers this file shares with scenario.js: configuration loading, signatures, the outbox, ids,
 * logging), then this file; VoxEngine runs them in one space. Configuration and signatures are
 * those of scenario.js (the same application's storage key tandem.config and secret
 * tandem_config, Standard Webhooks both ways); see clients/voxengine/README.md.
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

require(Modules.ApplicationStorage);

// ---- Session state -------------------------------------------------------------------------

/** @type {CallbackConfig} */
const cfg = Object.assign({}, CB_DEFAULTS);
let sessionAccessURL = '';
let sessionAccessSecureURL = '';
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

// ---- Reporting -----------------------------------------------------------------------------

/**
 * Reports one event of the callback under the operator's offer.
 * @param {object} event e.g. { customer_answered: { ring_time_ms: 3100 } }
 */
function cbReport(event) {
  if (!tandemCallId) {
    log('not reporting ' + Object.keys(event)[0] + ': not registered');
    return Promise.resolve();
  }
  /** @type {{ [key: string]: unknown }} */
  const payload = { request_id: newId('event'), occurred_at: new Date().toISOString() };
  if (op) payload.offer_id = op.offerId;
  Object.assign(payload, event);
  return enqueue(Object.keys(event)[0], () => postSigned(cfg, '/v1/calls/' + encodeURIComponent(tandemCallId) + '/events', payload, cfg.eventMaxAttempts));
}

// ---- Registering -----------------------------------------------------------------------------

async function cbRegister() {
  if (!token) {
    log('no callback token in the custom data: not started by Tandem');
    cbFinish();
    return;
  }
  if (!cfg.secret) {
    log('no secret configured');
    cbFinish();
    return;
  }
  stage = 'waiting';
  const payload = { request_id: newId('intake'), session_id: sessionId, access_url: sessionAccessURL, access_secure_url: sessionAccessSecureURL, callback_token: token };
  const res = await enqueue('intake', () => postSigned(cfg, '/v1/calls', payload, cfg.intakeMaxAttempts));
  if (!res || !res.ok) {
    log('Tandem refused or cannot be reached: ' + (res ? res.error : 'not sent'));
    cbFinish();
    return;
  }
  const id = String(res.json.call_id || '');
  if (tandemCallId && id && id !== tandemCallId) log('intake returned call ' + id + ' but commands name ' + tandemCallId);
  if (!tandemCallId) tandemCallId = id;
  const cb = res.json.callback || {};
  customer = {
    customerNumber: String(cb.customer_number || ''),
    callerId: String(cb.caller_id || ''),
    operatorText: String(cb.operator_text || cfg.operatorText),
    timeoutS: Number(cb.customer_timeout_s || 0) > 0 ? Number(cb.customer_timeout_s) : cfg.customerRingTimeoutS,
  };
  if (!customer.customerNumber || !customer.callerId) {
    log('the intake reply names no customer_number or caller_id');
    cbFinish();
    return;
  }
  log('registered callback ' + tandemCallId);
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
  log('command ' + type + (raw.offer_id ? ' ' + raw.offer_id : ''));
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
  if (kind !== 'user' && kind !== 'sip' && kind !== 'pstn') return { ok: false, error: 'unknown contact kind ' + kind };
  /** @type {Call} */
  let call;
  try {
    call = placeCall(kind, target, callerId, timeoutS, tag);
  } catch (err) {
    log('dial ' + kind + ' ' + target + ' threw: ' + err);
    op = null;
    cbReport({ dial_failed: { code: 404, reason: 'dial failed: ' + err, ring_time_ms: 0 } }).then(cbAwaitRedial);
    return { ok: true };
  }
  clear(redialTimer);
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
  clear(l.timer);
  hangupLocally(l.call); // VoxEngine then fires Failed (487)
}

/** @param {CbLeg & { offerId: string }} l */
function cbOperatorAnswered(l) {
  clear(l.timer);
  if (l.state !== 'ringing' || l.stop || op !== l || stage !== 'waiting') {
    l.state = 'ended';
    hangupLocally(l.call);
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
  if (customer.operatorText) op.call.say(customer.operatorText, sayParameters(cfg.voice));
  /** @type {Call} */
  let call;
  try {
    call = VoxEngine.callPSTN(customer.customerNumber, customer.callerId);
  } catch (err) {
    log('calling the customer threw: ' + err);
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
    clear(l.timer);
    if (l.state !== 'ringing' || l.stop || !op || op.state !== 'connected') {
      l.state = 'ended';
      hangupLocally(l.call);
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
    if (was === 'connected' && !hungUpLocally(l.call)) cbEnd('HANGUP_PARTY_CALLER');
  });
}

/** @param {CbLeg | null} l @param {number} code @param {string} reason */
function cbCustomerFailed(l, code, reason) {
  if (l) {
    clear(l.timer);
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
    o.call.say(cfg.customerFailedText, sayParameters(cfg.voice));
    setTimeout(cbFinish, 15000);
    return;
  }
  cbFinish();
}

/** @param {CbLeg & { offerId: string }} l @param {number} code @param {string} reason */
function cbOperatorFailed(l, code, reason) {
  clear(l.timer);
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
  clear(redialTimer);
  redialTimer = setTimeout(() => {
    if (stage === 'waiting' && (!op || op.state === 'ended')) {
      log('no other operator within ' + cfg.redialWaitS + ' s');
      cbFinish();
    }
  }, cfg.redialWaitS * 1000);
}

/** @param {CbLeg & { offerId: string }} l */
function cbOperatorLeft(l) {
  const was = l.state;
  l.state = 'ended';
  if (was !== 'connected' || hungUpLocally(l.call)) return;
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
  clear(redialTimer);
  for (const l of [op, cust]) {
    if (!l) continue;
    if (l.state === 'ringing') cbStopLeg(l, 'system');
    else if (l.state === 'connected') {
      l.state = 'ended';
      hangupLocally(l.call);
    }
  }
  drained().then(() => {
    log('callback session done');
    VoxEngine.terminate();
  });
}

// ---- Application events --------------------------------------------------------------------

/** @type {Promise<void>} */
let cbConfigLoaded = Promise.resolve();

VoxEngine.addEventListener(AppEvents.Started, (e) => {
  logTag = '[tandem callback]'; // common.js's log()
  sessionAccessURL = e.accessURL;
  sessionAccessSecureURL = e.accessSecureURL;
  sessionId = String(e.sessionId);
  token = VoxEngine.customData() || '';
  cbConfigLoaded = loadConfig(cfg, CB_DEFAULTS, { fromCustomData: false, logUnknown: false });
  cbConfigLoaded.then(cbRegister);
});

VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  e.call.reject(486); // the callback rule takes no inbound calls
});

VoxEngine.addEventListener(AppEvents.HttpRequest, (e) => commandReply(cfg.secret, e.headers, e.content || '', cbCommand));
