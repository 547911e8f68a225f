// @ts-check
/*
 * Tandem's call scenario for Voximplant VoxEngine: one session per inbound call.
 *
 * The scenario keeps the caller company while Tandem finds an operator, dials whoever Tandem
 * names, bridges the two, and reports every outcome back. It holds no routing logic: it does what
 * Tandem's commands say and tells Tandem what happened.
 *
 *   Started       remember accessURL / accessSecureURL; start loading the configuration
 *   CallAlerting  answer; hold music; POST the call to Tandem's intake (signed, retried)
 *   IVR menu      when the intake reply carries a menu: prompts (TTS or a recording), keys
 *                 (ToneReceived) and spoken words (ASR), timeouts and repeats, the default;
 *                 report menu_chosen (the path and where it led) and follow the reply
 *   HttpRequest   a command from Tandem, signature checked: dial, cancel, say, ask, hangup,
 *                 hold, resume, transfer, complete_transfer, cancel_transfer, forward
 *   intake reply  may carry a command to carry out at once instead of waiting: the queue is
 *                 closed or full (hangup with its text, or forward to a number)
 *   dial          one operator leg per offer; a plain dial stops the legs still ringing, a dial
 *                 with ring_all rings beside them (a ring: the first leg to connect wins, the
 *                 others are hung up at once and not reported)
 *   operator leg  Ringing: report operator_ringing (his phone was reached)
 *                 Connected: bridge, stop the music, report operator_answered; record
 *                 the conversation when the queue records calls (report recording_started)
 *                 Failed: report dial_failed; the caller stays on hold for the next offer
 *                 Disconnected: the operator hung up first; report call_ended (during
 *                 his warm transfer the caller goes to the target, or back in line)
 *   caller leg    Disconnected: report caller_abandoned (waiting) or call_ended (talking)
 *
 * If Tandem cannot be reached, requests are retried with backoff while the music plays; after
 * the configured limit the caller hears an apology and is put through to the fallback number
 * (or told politely to call again). Outbound HTTP goes one request at a time through a single
 * outbox, far below VoxEngine's limits (3 active, 35 active plus queued).
 *
 * Signatures (both directions): Standard Webhooks headers webhook-id, webhook-timestamp and
 * webhook-signature = "v1," + base64(HMAC-SHA256(secret, id + "." + timestamp + "." + body)),
 * with the secret string itself as the key.
 *
 * Deployment: the inbound routing rule runs two scenarios, in this order: common.js (the helpers
 * this file shares with callback.js: configuration loading, signatures, the outbox, ids,
 * logging), then this file. VoxEngine runs them in one space, so the names common.js defines
 * are this file's. See clients/voxengine/README.md.
 */

// ---- Configuration -------------------------------------------------------------------------
// One place: the defaults below, overridden key by key by JSON objects from, in order (later
// wins):
//   1. the application's key-value storage, key CONFIG_STORAGE_KEY (common.js; control panel, or the
//      Management API's SetKeyValueItem; keys there expire, after 90 days at most);
//   2. the application's secret CONFIG_SECRET_NAME (control panel: the application's Secrets,
//      or AddSecret): the place for backendUrl and secret, encrypted and without expiry;
//   3. the session's custom data, when it is JSON (StartScenarios' script_custom_data; at most
//      200 bytes, so small overrides only).
// Keep the secret out of this file.

/**
 * @typedef {Object} TandemConfig
 * @property {string} backendUrl        Tandem's base URL, e.g. "https://tandem.example.com"
 * @property {string} secret            the shared cloud secret (tandem serve --cloud-secret)
 * @property {string} holdMusicUrl      looped while the caller waits (mp3, ogg, flac or wav)
 * @property {string} voice             TTS voice as "Provider.name" in VoiceList, e.g. "Amazon.en_US_Joanna"
 * @property {string} asrProfile        ASR profile as "Provider.lang" in ASRProfileList, e.g. "Google.en_US"
 * @property {string} fallbackNumber    where to send the caller when Tandem is unreachable: an
 *                                      E.164 number, "sip:…" or "user:<name>"; "" ends politely
 * @property {string} fallbackCallerId  caller id for the fallback call ("" = the caller's number)
 * @property {string} apologyText       spoken when Tandem cannot take the call
 * @property {string} goodbyeText       spoken before ending a call the scenario gives up on
 * @property {string} holdText          spoken when the hold music cannot be played
 * @property {number} requestTimeoutS   one HTTP attempt to Tandem (VoxEngine caps it at 90)
 * @property {number} retryFirstDelayMs backoff before the second attempt; doubles per retry
 * @property {number} retryMaxDelayMs   backoff cap
 * @property {number} intakeMaxAttempts attempts to register the call before falling back
 * @property {number} eventMaxAttempts  attempts per event report
 * @property {number} ringTimeoutS      ring timeout when a dial command carries none
 * @property {number} askTimeoutS       how long to listen for the answer to a question
 * @property {number} maxWaitS          give up on a caller who waited this long (0: never)
 * @property {number} storageTimeoutMs  how long to wait for the stored configuration
 * @property {string[]} yesWords        words read as "yes" in a spoken answer
 * @property {string[]} noWords         words read as "no"
 */

/** @type {TandemConfig} */
const DEFAULT_CONFIG = {
  backendUrl: 'https://tandem.example.com',
  secret: '',
  holdMusicUrl: 'https://cdn.example.com/tandem/hold-music.mp3',
  voice: 'Amazon.en_US_Joanna',
  asrProfile: 'Google.en_US',
  fallbackNumber: '',
  fallbackCallerId: '',
  apologyText: 'We are sorry, we cannot connect your call to an operator right now.',
  goodbyeText: 'Please call again later. Goodbye.',
  holdText: 'Please stay on the line. An operator will be with you shortly.',
  requestTimeoutS: 8,
  retryFirstDelayMs: 500,
  retryMaxDelayMs: 8000,
  intakeMaxAttempts: 8,
  eventMaxAttempts: 6,
  ringTimeoutS: 20,
  askTimeoutS: 8,
  maxWaitS: 1800,
  storageTimeoutMs: 3000,
  yesWords: ['yes', 'yeah', 'yep', 'sure', 'ok', 'okay', 'please', 'of course', 'da', 'да', 'конечно'],
  noWords: ['no', 'nope', 'not', "don't", 'never', 'нет', 'не'],
};

/** A say() whose PlaybackFinished never comes is given up after this long. */
const SPEECH_LIMIT_MS = 60000;

require(Modules.ASR);
require(Modules.ApplicationStorage);
require(Modules.Conference);

// ---- Session state -------------------------------------------------------------------------

/** @type {TandemConfig} */
let config = Object.assign({}, DEFAULT_CONFIG);
/** @type {Promise<void>} */
let configLoaded = Promise.resolve();

let accessURL = '';
let accessSecureURL = '';

/** @type {Call | null} */
let caller = null;
let callerGone = false;
let arrivedAt = 0;
let callerNumber = '';
let dialedNumber = '';
let displayName = '';
/** @type {{ [header: string]: string }} */
let sipHeaders = {};
let callCustomData = '';

/** Tandem's id of the call: from the intake reply, or from a command that came first. */
let callId = '';

/**
 * Where the call is:
 *   new      answered, not yet registered with Tandem
 *   menu     in the IVR menu of the intake reply (no queue yet)
 *   waiting  registered (or registering); on hold until an operator answers
 *   talking  bridged to an operator
 *   after    the operator hung up first; the caller may still be asked something
 *   fallback Tandem could not be reached; apology and the fallback number
 *   forward  Tandem is done with the call: put through to a number (forward), not reported
 *   voicemail Tandem is done with the call: the caller leaves a message (voicemail_recorded)
 *   ending   reports drain, then the session ends
 * @type {'new' | 'menu' | 'waiting' | 'talking' | 'after' | 'fallback' | 'forward' | 'voicemail' | 'ending'}
 */
let phase = 'new';

/**
 * An operator leg: one per dial command.
 * @typedef {Object} Leg
 * @property {Call} call
 * @property {string} offerId
 * @property {number} dialedAt
 * @property {'ringing' | 'connected' | 'ended'} state ('ringing': dialed, not yet answered)
 * @property {boolean} rang whether his phone reported ringing (reported to Tandem once)
 * @property {'' | 'cancel' | 'timeout' | 'superseded' | 'lost' | 'abandoned' | 'system'} stop why the scenario ended it
 *   ('lost': a leg of a ring that another operator answered first)
 * @property {number | null} ringTimer
 */
/** The operator leg talking to the caller (the one that answered), or null. @type {Leg | null} */
let leg = null;
/**
 * The operator legs dialed and not yet answered or ended: one for a plain dial; several while
 * a ring is out (dials with ring_all, rung side by side: the first to answer wins).
 * @type {Leg[]}
 */
const dialing = [];
let bridgedAt = 0;
/** @type {'' | 'HANGUP_PARTY_CALLER' | 'HANGUP_PARTY_OPERATOR' | 'HANGUP_PARTY_SYSTEM'} */
let hungUpBy = '';
/** Offers already dialed or cancelled: a duplicate or late dial for them is ignored. */
/** @type {{ [offerId: string]: boolean }} */
const knownOffers = {};
// Caller media: hold music, or a prompt followed by a continuation.
let speaking = false;
/** @type {(() => void) | null} */
let afterSpeech = null;
/** @type {number | null} */
let speechTimer = null;
let musicErrors = 0;
let musicOverride = ''; // the queue's hold music from the intake reply
/** @type {ASR | null} */
let asr = null;
/** @type {Call | null} */
let fallbackLeg = null;
/** @type {number | null} */
let maxWaitTimer = null;
let awaitingReplies = 0; // reports after the call whose replies may carry one more command
let abandonReported = false;
let musicPlaying = ''; // the URL looping now, '' when something else has the caller's ear

// ---- Talking to Tandem ---------------------------------------------------------------------

/** Registers the call with Tandem's intake; falls back when Tandem cannot be reached. */
async function registerCall() {
  phase = 'waiting';
  await configLoaded;
  if (!config.secret) {
    fallback('no secret configured');
    return;
  }
  const payload = {
    request_id: newId('intake'),
    session_id: sessionId,
    access_url: accessURL,
    access_secure_url: accessSecureURL,
    caller_number: callerNumber,
    dialed_number: dialedNumber,
    display_name: displayName,
    sip_headers: sipHeaders,
    custom_data: callCustomData,
    arrived_at: new Date(arrivedAt).toISOString(),
  };
  const res = await enqueue('intake', () => postSigned(config, '/v1/calls', payload, config.intakeMaxAttempts));
  if (!res || !res.ok) {
    if (callerGone) {
      finish();
      return;
    }
    fallback('intake failed: ' + (res ? res.error : 'not sent'));
    return;
  }
  const id = String(res.json.call_id || '');
  if (callId && id && id !== callId) log('intake returned call ' + id + ' but commands name ' + callId);
  if (!callId) callId = id;
  log('registered as ' + callId + ', queue ' + (res.json.queue_id || '?') + ', position ' + (res.json.position || '?'));
  if (callerGone) {
    // The caller left while the intake was under way: tell Tandem, then end.
    reportAbandoned();
    finish();
    return;
  }
  const next = res.json.next;
  if (next && typeof next === 'object') {
    // The call took its queue's exit as it arrived (closed, or its line full): no waiting.
    const outcome = handleCommand(next);
    if (!outcome.ok) log('the intake reply\'s command not carried out: ' + outcome.error);
    return;
  }
  const menu = res.json.menu;
  if (menu && typeof menu === 'object' && phase === 'waiting' && !(leg && leg.state === 'connected')) {
    startMenu(menu);
    return;
  }
  joinedQueue(res.json);
}

/**
 * The call is in a queue's line: its hold music, greeting and recording notice, from the
 * intake reply (or from the reply to menu_chosen, its "queued").
 * @param {{ [key: string]: any }} reply
 */
function joinedQueue(reply) {
  const music = String(reply.hold_music_url || '');
  const greeting = String(reply.greeting || '');
  if (phase !== 'waiting' || (leg && leg.state === 'connected')) return;
  if (music && music !== musicOverride) {
    musicOverride = music;
    if (!speaking) playMusic();
  }
  recordingAsked(reply);
  // The greeting, then his place in line (and expected wait) when the queue announces them.
  const words = [greeting, String(reply.announcement || '')].filter(Boolean).join(' ');
  const afterNotice = words ? () => speak(words, playMusic) : playMusic;
  if (!speaking && (words || recordingNotice)) sayRecordingNotice(afterNotice);
}

/**
 * Reports one event about the call. The reply may carry the next command, which is carried
 * out. Resolves with whether Tandem took the report.
 * @param {string} offerId
 * @param {object} event e.g. { operator_answered: { ring_time_ms: 1200 } }
 * @returns {Promise<boolean>}
 */
function report(offerId, event) {
  const what = Object.keys(event)[0];
  return enqueue(what, async () => {
    if (!callId) {
      log('not reporting ' + what + ': the call was never registered');
      return false;
    }
    /** @type {{ [key: string]: unknown }} */
    const payload = { request_id: newId('event'), occurred_at: new Date().toISOString() };
    if (offerId) payload.offer_id = offerId;
    Object.assign(payload, event);
    const res = await postSigned(config, '/v1/calls/' + encodeURIComponent(callId) + '/events', payload, config.eventMaxAttempts);
    if (!res.ok) {
      // Tandem unreachable while the caller still waits for an operator: stop waiting.
      if (res.retryable && phase === 'waiting') fallback('cannot report ' + what + ': ' + res.error);
      return false;
    }
    const queued = res.json.queued;
    if (queued && typeof queued === 'object') joinedQueue(queued);
    const next = res.json.next;
    if (next && typeof next === 'object') {
      const outcome = handleCommand(next);
      if (!outcome.ok) log('next command after ' + what + ' not carried out: ' + outcome.error);
    }
    return true;
  }).then((ok) => ok === true);
}

function reportAbandoned() {
  if (abandonReported) return;
  abandonReported = true;
  report(ringingOffer(), { caller_abandoned: { wait_time_ms: Math.max(0, Date.now() - arrivedAt) } });
}

// ---- Recording -----------------------------------------------------------------------------
// A queue that records calls says so in the intake reply, with the notice the caller must hear
// first. The conversation is recorded from the bridge (call.record on the caller's call, which
// records both directions); the cloud stops it when the call ends. An operator who answers while
// the notice plays is bridged when it ends, so every answered call of such a queue is recorded
// and every recorded caller heard the whole notice.

let recordCalls = false;
let recordingNotice = '';
let noticeHeard = false;
let noticePlaying = false;
let recordingReported = false;
let recordingOn = false; // call.record was called: once per call, a transfer's new leg included

/** Reads the intake reply's recording fields. @param {{ [key: string]: any }} reply */
function recordingAsked(reply) {
  recordCalls = reply.record === true;
  recordingNotice = recordCalls ? String(reply.recording_notice || '') : '';
  noticeHeard = recordingNotice === '';
}

/** Says the recording notice, if there is one, then runs then. @param {() => void} then */
function sayRecordingNotice(then) {
  if (noticeHeard) {
    then();
    return;
  }
  noticePlaying = true;
  speak(recordingNotice, () => {
    noticePlaying = false;
    noticeHeard = true;
    then();
  });
}

/** Records the conversation just bridged, when the queue records calls. */
function startRecording() {
  if (!recordCalls || !caller || recordingOn) return;
  if (!noticeHeard) {
    log('not recording: the caller did not hear the recording notice to its end');
    return;
  }
  recordingOn = true;
  caller.addEventListener(CallEvents.RecordStarted, (e) => recordingStarted(e.url));
  caller.addEventListener(CallEvents.RecordError, (e) => log('recording failed: ' + e.error));
  caller.record({ stereo: true });
}

/** Tells Tandem where the recording is, once. @param {string} url */
function recordingStarted(url) {
  if (recordingReported || !url) return;
  recordingReported = true;
  report('', { recording_started: { url: url } });
}

// ---- Caller media --------------------------------------------------------------------------

function musicUrl() {
  return musicOverride || config.holdMusicUrl;
}

/** Hold music, while the caller waits (or while the fallback number rings). */
function playMusic() {
  if (!caller || callerGone || speaking) return;
  if (phase !== 'new' && phase !== 'waiting' && phase !== 'fallback' && phase !== 'forward') return;
  if (leg && leg.state === 'connected') return;
  if (musicErrors >= 3) {
    // The music cannot be played: keep the caller company with speech instead.
    speak(config.holdText, () => {
      setTimeout(playMusic, 2000);
    });
    return;
  }
  if (musicPlaying === musicUrl()) return;
  musicPlaying = musicUrl();
  caller.startPlayback(musicPlaying, { loop: true });
}

/**
 * Speaks text to the caller, then runs then (when the speech ends, fails or is cut short by
 * another prompt: a second say() replaces the first, and only the last continuation runs).
 * @param {string} text @param {() => void} then
 */
function speak(text, then) {
  prompt((c) => c.say(text, sayParameters(config.voice)), 'speech', then);
}

/**
 * Plays a recording to the caller once, then runs then, like speak.
 * @param {string} url @param {() => void} then
 */
function play(url, then) {
  prompt((c) => c.startPlayback(url), 'prompt', then);
}

/**
 * Starts a prompt to the caller (start), then runs then when it ends, or after SPEECH_LIMIT_MS
 * when the platform never says it did (what names it in the log).
 * @param {(c: Call) => void} start @param {string} what @param {() => void} then
 */
function prompt(start, what, then) {
  if (!caller || callerGone) return;
  speaking = true;
  musicPlaying = '';
  afterSpeech = then;
  clear(speechTimer);
  speechTimer = setTimeout(() => {
    log(what + ' did not finish in time');
    speechDone();
  }, SPEECH_LIMIT_MS);
  start(caller);
}

function speechDone() {
  if (!speaking) return;
  speaking = false;
  clear(speechTimer);
  speechTimer = null;
  const then = afterSpeech;
  afterSpeech = null;
  if (then) then();
}

/** Stops prompts and listening without running their continuations (e.g. on bridging). */
function silencePrompts() {
  speaking = false;
  afterSpeech = null;
  clear(speechTimer);
  speechTimer = null;
  if (asr) stopListening();
}

// ---- IVR menu ------------------------------------------------------------------------------
// The intake reply of a call to a menu's number carries the menu (proto field names; zero
// values left out). The scenario plays each node's prompt, takes a key at any time
// (ToneReceived) and, when a choice of the node has words, listens for speech after the prompt;
// silence for the node's timeout or an answer no choice takes plays the prompt again, repeats
// times, then the node's default is taken. A node action goes on to that node; a queue, a
// number or a queue's voicemail ends the menu: menu_chosen reports the path and the action, the
// caller hears music, and Tandem's reply says what follows (queued, a forward or a voicemail
// command). A caller who hangs up in
// the menu is reported as menu_chosen without an action, the node he was at last in the path.

/**
 * @typedef {{ queue_id?: string, number?: string, node_id?: string, voicemail_queue_id?: string }} MenuAction
 * @typedef {{ digit?: string, words?: string[], action?: MenuAction }} MenuChoice
 * @typedef {{ node_id?: string, prompt_text?: string, prompt_url?: string, choices?: MenuChoice[], timeout_s?: number, repeats?: number, default_action?: MenuAction }} MenuNode
 * @typedef {{ menu_id?: string, nodes?: MenuNode[] }} Menu
 * @typedef {{ node_id: string, digit?: string, words?: string, timed_out?: boolean }} MenuStep
 * @typedef {{ menu: Menu, node: MenuNode, misses: number, path: MenuStep[], timer: number | null }} MenuRun
 */

/** The menu the caller is in, while phase is 'menu'. @type {MenuRun | null} */
let ivr = null;
let tonesHandled = false;

/** A node's wait for an answer when the menu sets none, as Tandem's default. */
const MENU_DEFAULT_TIMEOUT_S = 5;

/** @param {string} text */
function normalizeWords(text) {
  return text.toLowerCase().replace(/[^\p{L}\p{N}' ]+/gu, ' ').replace(/\s+/g, ' ').trim();
}

/** @param {Menu} menu */
function startMenu(menu) {
  const nodes = menu.nodes || [];
  if (!caller || callerGone || nodes.length === 0) return;
  log('in menu ' + (menu.menu_id || '?'));
  phase = 'menu';
  ivr = { menu: menu, node: nodes[0], misses: 0, path: [], timer: null };
  handleTones();
  menuPrompt();
}

/** Keys go to the menu, or to a callback offer's question. @param {string} tone */
function toneReceived(tone) {
  if (ivr) menuKey(tone);
  else if (offer) offerKey(tone);
}

/** Starts handling the caller's keys (once a session). */
function handleTones() {
  if (tonesHandled || !caller) return;
  tonesHandled = true;
  caller.handleTones(true);
  caller.addEventListener(CallEvents.ToneReceived, (e) => toneReceived(String(e.tone)));
}

/** Plays the current node's prompt, then waits for an answer. */
function menuPrompt() {
  const run = ivr;
  if (!run || !caller || callerGone) return;
  const node = run.node;
  clear(run.timer);
  run.timer = null;
  if (asr) stopListening();
  const then = () => {
    if (ivr === run && run.node === node) menuWait(run, node);
  };
  if (node.prompt_url) play(node.prompt_url, then);
  else speak(node.prompt_text || '', then);
}

/** @param {MenuRun} run @param {MenuNode} node */
function menuWait(run, node) {
  const choices = node.choices || [];
  if (choices.some((c) => (c.words || []).length > 0)) {
    recognize((text) => {
      if (ivr === run && run.node === node && text) menuWords(run, node, text);
    });
  }
  run.timer = setTimeout(() => {
    if (ivr === run && run.node === node) menuMiss(run, 'silence');
  }, (node.timeout_s || MENU_DEFAULT_TIMEOUT_S) * 1000);
}

/** A key the caller pressed. @param {string} tone */
function menuKey(tone) {
  const run = ivr;
  if (!run || phase !== 'menu') return;
  const node = run.node;
  const choice = (node.choices || []).find((c) => c.digit === tone);
  if (choice) menuStep(run, { node_id: node.node_id || '', digit: tone }, choice.action || {});
  else menuMiss(run, 'key ' + tone);
}

/** What the caller said. @param {MenuRun} run @param {MenuNode} node @param {string} text */
function menuWords(run, node, text) {
  const heard = ' ' + normalizeWords(text) + ' ';
  const choice = (node.choices || []).find((c) => (c.words || []).some((w) => normalizeWords(w) && heard.indexOf(' ' + normalizeWords(w) + ' ') >= 0));
  if (choice) menuStep(run, { node_id: node.node_id || '', words: text }, choice.action || {});
  else menuMiss(run, 'words "' + text + '"');
}

/** Silence or an answer no choice takes: the prompt again, or the default. @param {MenuRun} run @param {string} why */
function menuMiss(run, why) {
  const node = run.node;
  clear(run.timer);
  run.timer = null;
  if (asr) stopListening();
  run.misses++;
  log('menu node ' + node.node_id + ': ' + why + ' (' + run.misses + '/' + ((node.repeats || 0) + 1) + ')');
  if (run.misses > (node.repeats || 0)) {
    menuStep(run, { node_id: node.node_id || '', timed_out: true }, node.default_action || {});
    return;
  }
  menuPrompt();
}

/** The caller left a node by step, to action. @param {MenuRun} run @param {MenuStep} step @param {MenuAction} action */
function menuStep(run, step, action) {
  clear(run.timer);
  run.timer = null;
  if (asr) stopListening();
  run.path.push(step);
  if (action.node_id) {
    const next = (run.menu.nodes || []).find((n) => n.node_id === action.node_id);
    if (next) {
      run.node = next;
      run.misses = 0;
      menuPrompt();
      return;
    }
    log('menu: no node ' + action.node_id);
  }
  /** @type {MenuAction} */
  const chosen = {};
  if (action.queue_id) chosen.queue_id = action.queue_id;
  else if (action.number) chosen.number = action.number;
  else if (action.voicemail_queue_id) chosen.voicemail_queue_id = action.voicemail_queue_id;
  log('menu chosen: ' + JSON.stringify(chosen));
  ivr = null;
  phase = 'waiting';
  silencePrompts();
  playMusic();
  report('', { menu_chosen: { path: run.path, action: chosen } });
}

/** The caller hung up in the menu: the path so far, ending where he was. */
function menuLeft() {
  const run = ivr;
  if (!run) return;
  clear(run.timer);
  ivr = null;
  run.path.push({ node_id: run.node.node_id || '' });
  report('', { menu_chosen: { path: run.path } });
}

// ---- Callback offer and voicemail ----------------------------------------------------------
// offer_callback: the text is said over the music and the caller has askTimeoutS to press the
// digit or say one of the words (VoxEngine's ASR); he keeps his place meanwhile. With
// ask_number, once he accepts he is asked for his number, keyed in and ended with #. The answer
// is reported as callback_answer (accepted false after silence); Tandem's reply says what
// follows: a hangup with the confirmation, a say (a number it will not call), or nothing.
// voicemail: the text, then the caller is recorded (call.record) for at most timeout_s or until
// he hangs up; the record's URL and length are reported as voicemail_recorded once it stops.

/** @typedef {{ digit: string, words: string[], askNumber: boolean, number: string, keying: boolean, timer: number | null }} CallbackOffer */

/** The callback offer the caller is answering. @type {CallbackOffer | null} */
let offer = null;

const NUMBER_PROMPT = 'Please key in your phone number with the country code, then press the hash key.';
const VOICEMAIL_DEFAULT_S = 120;
/** How long after the caller hung up the record may take to stop (RecordStopped). */
const VOICEMAIL_STOP_WAIT_MS = 30000;

/** @param {Command} cmd */
function offerCallback(cmd) {
  if (!caller || callerGone || phase !== 'waiting') return { ok: false, error: 'offer_callback: the caller is not waiting' };
  if (offer) return { ok: true }; // asked already
  /** @type {CallbackOffer} */
  const o = { digit: cmd.digit || '1', words: cmd.words || [], askNumber: cmd.ask_number === true, number: '', keying: false, timer: null };
  offer = o;
  handleTones();
  speak(cmd.text || '', () => {
    if (offer !== o) return;
    playMusic();
    if (o.words.length > 0) {
      recognize((text) => {
        const heard = ' ' + normalizeWords(text) + ' ';
        if (offer === o && !o.keying && text && o.words.some((w) => normalizeWords(w) && heard.indexOf(' ' + normalizeWords(w) + ' ') >= 0)) offerAccepted(o);
      });
    }
    o.timer = setTimeout(() => {
      if (offer === o && !o.keying) offerAnswered(o, false);
    }, config.askTimeoutS * 1000);
  });
  return { ok: true };
}

/** A key while a callback offer is open. @param {string} tone */
function offerKey(tone) {
  const o = offer;
  if (!o) return;
  if (!o.keying) {
    if (tone === o.digit) offerAccepted(o);
    return;
  }
  if (tone === '#') {
    offerAnswered(o, true);
    return;
  }
  if (/^[0-9]$/.test(tone) && o.number.length < 20) {
    o.number += tone;
    clear(o.timer);
    o.timer = setTimeout(() => {
      if (offer === o) offerAnswered(o, o.number.length > 0);
    }, config.askTimeoutS * 1000);
  }
}

/** He accepted: report it, or first ask for his number. @param {CallbackOffer} o */
function offerAccepted(o) {
  clear(o.timer);
  if (asr) stopListening();
  if (!o.askNumber) {
    offerAnswered(o, true);
    return;
  }
  o.keying = true;
  speak(NUMBER_PROMPT, () => {
    if (offer !== o) return;
    playMusic();
    o.timer = setTimeout(() => {
      if (offer === o) offerAnswered(o, o.number.length > 0);
    }, config.askTimeoutS * 2000);
  });
}

/** @param {CallbackOffer} o @param {boolean} accepted */
function offerAnswered(o, accepted) {
  if (offer !== o) return;
  offer = null;
  clear(o.timer);
  if (asr) stopListening();
  if (!speaking) playMusic();
  /** @type {{ accepted: boolean, number?: string }} */
  const answer = { accepted: accepted };
  if (accepted && o.askNumber) answer.number = o.number.indexOf('00') === 0 ? '+' + o.number.slice(2) : o.number.charAt(0) === '+' ? o.number : '+' + o.number;
  log('callback offer: ' + (accepted ? 'accepted' : 'declined or no answer'));
  report('', { callback_answer: answer });
}

/** The voicemail the caller is leaving, once he is recorded. @type {{ timer: number | null, reported: boolean } | null} */
let voicemailRec = null;

/** @param {Command} cmd */
function voicemailCommand(cmd) {
  if (!caller || callerGone) return { ok: false, error: 'voicemail: the caller is gone' };
  if (voicemailRec || phase === 'voicemail') return { ok: true };
  phase = 'voicemail';
  stopRinging('system');
  silencePrompts();
  const limitS = cmd.timeout_s && cmd.timeout_s > 0 ? cmd.timeout_s : VOICEMAIL_DEFAULT_S;
  speak(cmd.text || 'Please leave your message after the tone.', () => {
    if (!caller || callerGone) return;
    caller.stopPlayback();
    const rec = { timer: /** @type {number | null} */ (null), reported: false };
    voicemailRec = rec;
    caller.addEventListener(CallEvents.RecordStopped, (e) => voicemailStopped(rec, e.url, Number(e.duration) || 0));
    caller.addEventListener(CallEvents.RecordError, (e) => {
      log('voicemail not recorded: ' + e.error);
      if (caller && !callerGone) hangupLocally(caller);
      finish();
    });
    caller.record({});
    rec.timer = setTimeout(() => {
      log('voicemail: ' + limitS + ' s recorded, the call ends');
      if (caller && !callerGone) hangupLocally(caller);
    }, limitS * 1000);
  });
  return { ok: true };
}

/** The record stopped (the call ended): report the message once, then end. @param {{ timer: number | null, reported: boolean }} rec @param {string} url @param {number} durationS */
function voicemailStopped(rec, url, durationS) {
  if (rec.reported) return;
  rec.reported = true;
  clear(rec.timer);
  if (url) report('', { voicemail_recorded: { url: url, length_ms: Math.round(durationS * 1000) } });
  finish();
}

// ---- Questions (ask) -----------------------------------------------------------------------

/** @type {{ questionId: string, timer: number | null } | null} */
let question = null;

/** @param {string} text @returns {'SPEECH_VERDICT_YES' | 'SPEECH_VERDICT_NO' | 'SPEECH_VERDICT_UNCLEAR'} */
function verdictOf(text) {
  const words = ' ' + text.toLowerCase().replace(/[^\p{L}\p{N}' ]+/gu, ' ').replace(/\s+/g, ' ').trim() + ' ';
  /** @param {string[]} list */
  const has = (list) => list.some((w) => words.indexOf(' ' + w.toLowerCase() + ' ') >= 0);
  const yes = has(config.yesWords);
  const no = has(config.noWords);
  if (yes && !no) return 'SPEECH_VERDICT_YES';
  if (no && !yes) return 'SPEECH_VERDICT_NO';
  return 'SPEECH_VERDICT_UNCLEAR';
}

/** @param {string} questionId */
function listen(questionId) {
  if (!caller || callerGone) return;
  const q = { questionId: questionId, timer: /** @type {number | null} */ (null) };
  question = q;
  if (!recognize((text, confidence) => {
    if (question === q) answered(questionId, text, confidence);
  })) {
    answered(questionId, '', 0);
    return;
  }
  q.timer = setTimeout(() => {
    if (question === q) answered(questionId, '', 0);
  }, config.askTimeoutS * 1000);
}

/**
 * Recognises what the caller says next (one utterance, the configured ASR profile) and hands
 * the text to heard ("" after an ASR error). Returns false when the profile is unknown. Only
 * one recognizer listens at a time: stopListening ends it.
 * @param {(text: string, confidence: number) => void} heard
 */
function recognize(heard) {
  if (!caller || callerGone) return false;
  const profile = lookup(ASRProfileList, config.asrProfile);
  if (!profile) {
    log('unknown ASR profile ' + config.asrProfile);
    return false;
  }
  if (asr) {
    caller.stopMediaTo(asr);
    asr.stop();
  }
  const recognizer = VoxEngine.createASR({ profile: profile, singleUtterance: true });
  asr = recognizer;
  recognizer.addEventListener(ASREvents.Result, (e) => {
    if (asr === recognizer) heard(e.text, e.confidence);
  });
  recognizer.addEventListener(ASREvents.ASRError, (e) => {
    log('ASR error: ' + e.error);
    if (asr === recognizer) heard('', 0);
  });
  caller.sendMediaTo(recognizer);
  return true;
}

function stopListening() {
  const q = question;
  question = null;
  if (q) clear(q.timer);
  if (asr) {
    if (caller && !callerGone) caller.stopMediaTo(asr);
    asr.stop();
    asr = null;
  }
}

/**
 * The caller answered (or did not, text ""): report it, then go on with the call.
 * @param {string} questionId @param {string} text @param {number} confidence
 */
function answered(questionId, text, confidence) {
  stopListening();
  // Providers give confidence as 0..1 or 0..100; Tandem wants 0..1.
  const c = confidence > 1 ? confidence / 100 : confidence;
  awaitingReplies++;
  report('', {
    speech_answer: { question_id: questionId, text: text, confidence: clamp(c || 0, 0, 1), verdict: text ? verdictOf(text) : 'SPEECH_VERDICT_UNCLEAR' },
  }).then(() => {
    awaitingReplies--;
    endAfterCall();
  });
  playMusic(); // while waiting; does nothing after the call
}

// ---- Hold ----------------------------------------------------------------------------------

// The operator leg whose caller is on hold (null: nobody is): a hold belongs to one talk, so a
// later leg starts unheld.
/** @type {Leg | null} */
let heldLeg = null;

/**
 * Puts the caller on hold: he hears the queue's music (a playback replaces the operator's voice,
 * since a call hears one stream), and the operator hears silence. A second hold changes nothing.
 * @param {Command} cmd
 * @returns {{ ok: boolean, error?: string }}
 */
function holdCommand(cmd) {
  const talk = talkingLeg();
  if (!talk || !caller) return { ok: false, error: 'hold: no operator is talking to the caller' };
  if (heldLeg === talk) return { ok: true };
  if (noticePlaying) return { ok: false, error: 'hold: the caller is hearing the recording notice; the operator is bridged after it' };
  heldLeg = talk;
  if (mixing) {
    // With parties on the call the caller alone is held: the others still hear one another.
    const w = wiring.get(caller);
    if (w) w.sources = []; // the music replaces what he heard: wire him again on resume
    caller.startPlayback(cmd.music_url || musicUrl(), { loop: true });
    remix();
    return { ok: true };
  }
  caller.stopMediaTo(talk.call);
  caller.startPlayback(cmd.music_url || musicUrl(), { loop: true });
  return { ok: true };
}

/**
 * Ends the hold: caller and operator hear each other again. Resuming a call not on hold changes
 * nothing.
 * @returns {{ ok: boolean, error?: string }}
 */
function resumeCommand() {
  const talk = talkingLeg();
  if (!talk || !caller) return { ok: false, error: 'resume: no operator is talking to the caller' };
  if (heldLeg !== talk) return { ok: true };
  heldLeg = null;
  caller.stopPlayback();
  if (mixing) {
    remix();
    return { ok: true };
  }
  VoxEngine.sendMediaBetween(caller, talk.call);
  return { ok: true };
}

/** The leg of the operator talking to the caller now, or null. */
function talkingLeg() {
  if (phase !== 'talking' || !leg || leg.state !== 'connected' || !caller || callerGone) return null;
  return leg;
}


// ---- Parties: conference and monitoring ----------------------------------------------------

/**
 * A third leg on the talk: someone the operator added ("conference") or a supervisor
 * monitoring ("listen", "whisper", "barge"). One per add_party command.
 * @typedef {Object} PartyLeg
 * @property {string} id the party_id its events name
 * @property {Call} call
 * @property {string} mode
 * @property {number} dialedAt
 * @property {'ringing' | 'connected' | 'ended'} state
 * @property {boolean} rang
 * @property {'' | 'dropped' | 'timeout'} stop why the scenario ended it
 * @property {number | null} ringTimer
 */
/** @type {{ [partyId: string]: PartyLeg }} */
const parties = {};
const PARTY_MODES = ['conference', 'listen', 'whisper', 'barge'];
/**
 * Once a party joined, every call's hearing is set by remix() (and stays so: a party leaving
 * puts caller and operator back on each other through it).
 */
let mixing = false;
/**
 * A call hears one stream: whoever must hear two or more others hears a conference of his own
 * that they send to (a voice conference mixes every stream sent to it). What each listener is
 * wired to now, so that remix changes only what moved.
 * @typedef {{ sources: Call[], mix: Conference | null, inMix: Call[] }} Wiring
 * @type {Map<Call, Wiring>}
 */
const wiring = new Map();

/**
 * Dials a party leg (add_party): contact, mode. A party id seen before changes nothing.
 * @param {Command} cmd
 */
function addParty(cmd) {
  const id = cmd.party_id || '';
  const kind = (cmd.contact && cmd.contact.kind) || '';
  const target = (cmd.contact && cmd.contact.target) || '';
  if (!id || !target) return { ok: false, error: 'add_party needs party_id and contact' };
  if (PARTY_MODES.indexOf(cmd.mode || '') < 0) return { ok: false, error: 'add_party: unknown mode ' + cmd.mode };
  if (parties[id]) return { ok: true };
  if (!talkingLeg()) return { ok: false, error: 'add_party: no operator is talking to the caller' };
  const timeoutS = cmd.timeout_s && cmd.timeout_s > 0 ? cmd.timeout_s : config.ringTimeoutS;
  /** @type {Call} */
  let call;
  try {
    call = placeCall(kind, target, cmd.caller_id || callerNumber, timeoutS, { 'X-Tandem-Call-Id': callId, 'X-Tandem-Party-Id': id }, displayName);
  } catch (err) {
    return { ok: false, error: 'add_party: ' + err };
  }
  /** @type {PartyLeg} */
  const p = { id: id, call: call, mode: String(cmd.mode), dialedAt: Date.now(), state: 'ringing', rang: false, stop: '', ringTimer: null };
  parties[id] = p;
  p.ringTimer = setTimeout(() => {
    if (p.state === 'ringing') {
      p.stop = 'timeout';
      hangupLocally(p.call); // VoxEngine then fires Failed (487), reported as 408
    }
  }, timeoutS * 1000);
  call.addEventListener(CallEvents.Ringing, () => {
    if (p.rang || p.state !== 'ringing' || p.stop) return;
    p.rang = true;
    report('', { party_ringing: { party_id: p.id } });
  });
  call.addEventListener(CallEvents.Connected, () => partyConnected(p));
  call.addEventListener(CallEvents.Failed, (e) => partyFailed(p, e.code, e.reason));
  call.addEventListener(CallEvents.Disconnected, () => partyDisconnected(p));
  return { ok: true };
}

// ---- Transfer ------------------------------------------------------------------------------
// A blind transfer ends the operator's leg at once: the caller hears music (the target queue's)
// and, given a contact, its leg is dialed like any offer (dial), bridged on answer; without one
// the caller waits in line for Tandem's next dial. A warm transfer keeps the operator: the
// caller hears music (a playback replaces the operator's voice, and the caller no longer sends
// to him), the target is dialed as a consult leg and, on answer, bridged with the operator
// alone. complete_transfer bridges the caller with the consult leg and ends the operator's;
// cancel_transfer (or a consult leg that fails or hangs up) puts the caller back with him. An
// operator who hangs up during his warm transfer hands the caller to a consulted target (as
// complete_transfer); a target still ringing is hung up and the caller waits in line again.

/**
 * The warm transfer's target leg, while there is one.
 * @typedef {Object} Consult
 * @property {Call} call
 * @property {string} offerId
 * @property {number} dialedAt
 * @property {'ringing' | 'connected' | 'ended'} state
 * @property {boolean} rang
 * @property {'' | 'cancel' | 'timeout' | 'system'} stop why the scenario ended it
 * @property {number | null} ringTimer
 */
/** @type {Consult | null} */
let consult = null;

/** @param {Command} cmd @returns {{ ok: boolean, error?: string }} */
function transferCommand(cmd) {
  const offerId = cmd.offer_id || '';
  const hasContact = !!(cmd.contact && cmd.contact.target);
  if (cmd.mode !== 'blind' && cmd.mode !== 'warm') return { ok: false, error: 'transfer needs mode blind or warm' };
  if (hasContact && !offerId) return { ok: false, error: 'transfer to a contact needs offer_id' };
  if (offerId && knownOffers[offerId]) return { ok: true }; // a duplicate, or sent again after a restart
  const talk = talkingLeg();
  if (!talk || !caller) return { ok: false, error: 'transfer: no operator is talking to the caller' };
  if (consult) return { ok: false, error: 'transfer: a transfer is in progress' };
  if (cmd.mode === 'blind') {
    // The operator's leg ends (Tandem already has him in wrap-up); the caller waits again.
    talk.state = 'ended';
    hangupLocally(talk.call);
    leg = null;
    heldLeg = null;
    phase = 'waiting';
    if (cmd.music_url) musicOverride = cmd.music_url;
    musicPlaying = '';
    playMusic();
    return hasContact ? dial(cmd) : { ok: true };
  }
  if (!hasContact) return { ok: false, error: 'a warm transfer needs a contact' };
  const placed = placeOffer(cmd);
  if (placed.error) return { ok: false, error: placed.error };
  heldLeg = null;
  holdForConsult(talk, cmd.music_url || musicUrl());
  const call = placed.call;
  if (!call) {
    backWithOperator(); // reported as failed: the caller is back with the operator
    return { ok: true };
  }
  knownOffers[offerId] = true;
  /** @type {Consult} */
  const t = { call: call, offerId: offerId, dialedAt: Date.now(), state: 'ringing', rang: false, stop: '', ringTimer: null };
  consult = t;
  const timeoutS = ringTimeout(cmd);
  t.ringTimer = setTimeout(() => {
    if (t.state === 'ringing') {
      log('transfer target did not answer in ' + timeoutS + ' s');
      endConsult(t, 'timeout');
    }
  }, timeoutS * 1000);
  call.addEventListener(CallEvents.Ringing, () => {
    if (t.rang || t.state !== 'ringing' || t.stop) return;
    t.rang = true;
    report(t.offerId, { operator_ringing: {} });
  });
  call.addEventListener(CallEvents.Connected, () => consultConnected(t));
  call.addEventListener(CallEvents.Failed, (e) => consultFailed(t, e.code, e.reason));
  call.addEventListener(CallEvents.Disconnected, () => consultDisconnected(t));
  return { ok: true };
}

/**
 * Mixes a party by another mode (party_mode): no new dial.
 * @param {Command} cmd
 */
function partyMode(cmd) {
  const p = parties[cmd.party_id || ''];
  if (!p || p.state === 'ended') return { ok: false, error: 'party_mode: no party ' + cmd.party_id + ' on the call' };
  if (PARTY_MODES.indexOf(cmd.mode || '') < 0) return { ok: false, error: 'party_mode: unknown mode ' + cmd.mode };
  p.mode = String(cmd.mode);
  if (p.state === 'connected') remix();
  return { ok: true };
}

/**
 * Hangs up a party leg (drop_party); Tandem already knows. An unknown or ended one changes
 * nothing.
 * @param {Command} cmd
 */
function dropParty(cmd) {
  const p = parties[cmd.party_id || ''];
  if (!p || p.state === 'ended') return { ok: true };
  endParty(p, 'dropped');
  return { ok: true };
}

/** @param {PartyLeg} p @param {'dropped' | 'timeout'} why */
function endParty(p, why) {
  p.stop = why;
  clear(p.ringTimer);
  const was = p.state;
  p.state = 'ended';
  hangupLocally(p.call);
  if (was === 'connected') remix();
}

/** @param {PartyLeg} p */
function partyConnected(p) {
  clear(p.ringTimer);
  if (p.state !== 'ringing' || p.stop || !talkingLeg()) {
    p.state = 'ended';
    hangupLocally(p.call);
    return;
  }
  p.state = 'connected';
  mixing = true;
  remix();
  report('', { party_joined: { party_id: p.id, ring_time_ms: Date.now() - p.dialedAt } });
}

/** @param {PartyLeg} p @param {number} code @param {string} reason */
function partyFailed(p, code, reason) {
  clear(p.ringTimer);
  const stop = p.stop;
  p.state = 'ended';
  if (stop === 'timeout') {
    report('', { party_failed: { party_id: p.id, code: 408, reason: 'no answer in time', ring_time_ms: Date.now() - p.dialedAt } });
  } else if (!stop) {
    report('', { party_failed: { party_id: p.id, code: code, reason: reason, ring_time_ms: Date.now() - p.dialedAt } });
  }
}

/** @param {PartyLeg} p */
function partyDisconnected(p) {
  const was = p.state;
  p.state = 'ended';
  if (was !== 'connected' || p.stop || hungUpLocally(p.call)) return;
  remix();
  report('', { party_left: { party_id: p.id } });
}

/** Hangs up every party leg: they end with the talk. */
function endParties() {
  for (const id of Object.keys(parties)) {
    const p = parties[id];
    if (p.state !== 'ended') endParty(p, 'dropped');
  }
}

/**
 * The caller holds while the operator consults: he hears music, and no longer sends to the
 * operator.
 * @param {Leg} talk @param {string} music
 */
function holdForConsult(talk, music) {
  if (!caller) return;
  caller.stopMediaTo(talk.call);
  musicPlaying = '';
  caller.startPlayback(music, { loop: true });
}

/** The caller and the operator hear each other again, after a consult. */
function backWithOperator() {
  const talk = talkingLeg();
  if (!talk || !caller) return;
  caller.stopPlayback();
  VoxEngine.sendMediaBetween(caller, talk.call);
}

/** @param {Consult} t */
function consultConnected(t) {
  clear(t.ringTimer);
  const talk = talkingLeg();
  if (t.state !== 'ringing' || t.stop || consult !== t || !talk) {
    t.state = 'ended';
    hangupLocally(t.call);
    return;
  }
  t.state = 'connected';
  VoxEngine.sendMediaBetween(talk.call, t.call);
  report(t.offerId, { operator_answered: { ring_time_ms: Date.now() - t.dialedAt } });
}

/** @param {Consult} t @param {number} code @param {string} reason */
function consultFailed(t, code, reason) {
  clear(t.ringTimer);
  if (t.state === 'ended') return;
  t.state = 'ended';
  if (consult === t) {
    consult = null;
    backWithOperator();
  }
  const ring = Date.now() - t.dialedAt;
  if (t.stop === 'timeout') {
    report(t.offerId, { dial_failed: { code: 408, reason: 'no answer in time', ring_time_ms: ring } });
  } else if (!t.stop) {
    report(t.offerId, { dial_failed: { code: code, reason: reason, ring_time_ms: ring } });
  }
}

/** The consulted target's leg ended: he hung up before the transfer was completed. @param {Consult} t */
function consultDisconnected(t) {
  if (leg && leg.call === t.call) {
    operatorDisconnected(leg); // completed: he is the call's operator now
    return;
  }
  const was = t.state;
  t.state = 'ended';
  if (consult === t) {
    consult = null;
    backWithOperator();
  }
  if (was === 'connected' && !hungUpLocally(t.call)) {
    report(t.offerId, { call_ended: { hung_up_by: 'HANGUP_PARTY_OPERATOR', talk_time_ms: 0 } });
  }
}

/**
 * Sets what everyone on the talk hears from the parties' modes: the caller hears the operator,
 * the added parties and a barging supervisor; the operator hears the caller, the added parties
 * and a whispering or barging supervisor; an added party hears everyone who talks; a
 * supervisor hears everyone who talks and is heard as his mode says (listen: by nobody). A
 * held caller hears his music and is heard by nobody, while the others still hear one another.
 */
function remix() {
  const talk = talkingLeg();
  if (!mixing || !talk || !caller) return;
  const held = heldLeg === talk;
  const joined = Object.keys(parties)
    .map((id) => parties[id])
    .filter((p) => p.state === 'connected');
  /** @type {Call[]} who everyone on the talk hears */
  const talkers = [talk.call];
  if (!held) talkers.push(caller);
  for (const p of joined) if (p.mode === 'conference' || p.mode === 'barge') talkers.push(p.call);
  const whisperers = joined.filter((p) => p.mode === 'whisper').map((p) => p.call);
  /** @param {Call} who */
  const others = (who) => talkers.filter((c) => c !== who);
  if (!held) hear(caller, others(caller));
  hear(talk.call, others(talk.call).concat(whisperers));
  for (const p of joined) hear(p.call, others(p.call));
}

/**
 * Wires listener to hear sources: one directly, several through his own conference, none:
 * silence.
 * @param {Call} listener @param {Call[]} sources
 */
function hear(listener, sources) {
  const w = wiring.get(listener) || { sources: [], mix: null, inMix: [] };
  if (w.sources.length === sources.length && w.sources.every((c) => sources.indexOf(c) >= 0)) return;
  if (w.sources.length === 1 && !w.mix) w.sources[0].stopMediaTo(listener);
  if (w.mix) w.mix.stopMediaTo(listener);
  w.sources = sources.slice();
  if (sources.length === 1) {
    sources[0].sendMediaTo(listener);
  } else if (sources.length > 1) {
    if (!w.mix) w.mix = VoxEngine.createConference({ hd_audio: false });
    const mix = w.mix;
    for (const c of w.inMix) if (sources.indexOf(c) < 0) c.stopMediaTo(mix);
    for (const c of sources) if (w.inMix.indexOf(c) < 0) c.sendMediaTo(mix);
    w.inMix = sources.slice();
    mix.sendMediaTo(listener);
  }
  wiring.set(listener, w);
}

/**
 * Ends the consult leg on the scenario's side (not reported: Tandem knows); the caller is back
 * with the operator.
 * @param {Consult} t @param {Consult['stop']} why
 */
function endConsult(t, why) {
  clear(t.ringTimer);
  if (consult === t) consult = null;
  if (t.state === 'ended') return;
  t.stop = why;
  if (why !== 'timeout') t.state = 'ended';
  hangupLocally(t.call); // ringing: VoxEngine then fires Failed (487)
  if (why !== 'system') backWithOperator();
}

/** @param {Command} cmd @returns {{ ok: boolean, error?: string }} */
function completeTransfer(cmd) {
  const t = consult;
  if (!t || t.offerId !== cmd.offer_id) return { ok: false, error: 'complete_transfer: no transfer to ' + (cmd.offer_id || '?') + ' in progress' };
  if (t.state !== 'connected') return { ok: false, error: 'complete_transfer: the target has not answered' };
  const talk = talkingLeg();
  if (!talk || !caller) return { ok: false, error: 'complete_transfer: no operator is talking to the caller' };
  consult = null;
  talk.state = 'ended';
  hangupLocally(talk.call);
  /** @type {Leg} */
  const next = { call: t.call, offerId: t.offerId, dialedAt: t.dialedAt, state: 'connected', rang: t.rang, stop: '', ringTimer: null };
  leg = next;
  musicPlaying = '';
  caller.stopPlayback();
  VoxEngine.sendMediaBetween(caller, t.call);
  return { ok: true };
}

/**
 * The operator hung up during his warm transfer, the caller holding. As a PBX does with an
 * attended transfer, a consulted target gets the caller (as complete_transfer); one still
 * ringing is hung up (not reported: Tandem withdraws that leg) and the caller waits in line for
 * Tandem's next dial, hearing the queue's music. Reported as the operator's leg ending
 * (call_ended naming his offer): Tandem does the same on its side.
 * @param {Leg} l @param {Consult} t
 */
function operatorLeftConsult(l, t) {
  consult = null;
  if (t.state === 'connected' && caller && !callerGone) {
    /** @type {Leg} */
    const next = { call: t.call, offerId: t.offerId, dialedAt: t.dialedAt, state: 'connected', rang: t.rang, stop: '', ringTimer: null };
    leg = next;
    musicPlaying = '';
    caller.stopPlayback();
    VoxEngine.sendMediaBetween(caller, t.call);
  } else {
    endConsult(t, 'cancel');
    leg = null;
    heldLeg = null;
    phase = 'waiting';
    musicPlaying = '';
    if (caller && !callerGone) caller.stopPlayback();
    playMusic();
  }
  report(l.offerId, { call_ended: { hung_up_by: 'HANGUP_PARTY_OPERATOR', talk_time_ms: Date.now() - bridgedAt } });
}

/** @param {Command} cmd @returns {{ ok: boolean, error?: string }} */
function cancelTransfer(cmd) {
  const t = consult;
  if (!t || t.offerId !== cmd.offer_id) {
    // Already over (failed, or cancelled by a cancel): the caller is with the operator.
    return knownOffers[cmd.offer_id || ''] ? { ok: true } : { ok: false, error: 'cancel_transfer: no such transfer' };
  }
  endConsult(t, 'cancel');
  return { ok: true };
}

// ---- Commands ------------------------------------------------------------------------------

/**
 * @typedef {Object} Command
 * @property {string} [type]
 * @property {string} [call_id]
 * @property {string} [offer_id]
 * @property {{ kind?: string, target?: string }} [contact]
 * @property {number} [timeout_s]
 * @property {string} [caller_id]
 * @property {string} [text]
 * @property {string} [question_id]
 * @property {string} [reason]
 * @property {string} [music_url]
 * @property {string} [party_id]
 * @property {string} [mode]
 * @property {string} [digit]
 * @property {string[]} [words]
 * @property {boolean} [ask_number]
 * @property {boolean} [ring_all] a dial: one leg of a ring, rung beside the call's other legs
 */

/**
 * Carries out one command from Tandem (already authenticated): a CloudCommand, POSTed or in an
 * event's reply, its keys the proto field names.
 * @param {any} raw
 * @returns {{ ok: boolean, error?: string }}
 */
function handleCommand(raw) {
  /** @type {Command} */
  const cmd = {
    type: String(raw.type || ''),
    call_id: String(raw.call_id || ''),
    offer_id: String(raw.offer_id || ''),
    contact: raw.contact || {},
    timeout_s: Number(raw.timeout_s || 0),
    caller_id: String(raw.caller_id || ''),
    text: String(raw.text || ''),
    question_id: String(raw.question_id || ''),
    reason: String(raw.reason || ''),
    music_url: String(raw.music_url || ''),
    party_id: String(raw.party_id || ''),
    mode: String(raw.mode || ''),
    digit: String(raw.digit || ''),
    words: Array.isArray(raw.words) ? raw.words.map(String) : [],
    ask_number: raw.ask_number === true,
    ring_all: raw.ring_all === true,
  };
  if (cmd.call_id && callId && cmd.call_id !== callId) return { ok: false, error: 'command for another call' };
  if (cmd.call_id && !callId) callId = cmd.call_id; // the command beat the intake reply
  log('command ' + cmd.type + (cmd.offer_id ? ' ' + cmd.offer_id : '') + (cmd.ring_all ? ' (ring all)' : '') + (cmd.reason ? ' (' + cmd.reason + ')' : ''));
  switch (cmd.type) {
    case 'dial':
      return dial(cmd);
    case 'cancel':
      return cancel(cmd);
    case 'say':
      return say(cmd);
    case 'ask':
      return ask(cmd);
    case 'hangup':
      return hangupCommand(cmd);
    case 'offer_callback':
      return offerCallback(cmd);
    case 'voicemail':
      return voicemailCommand(cmd);
    case 'hold':
      return holdCommand(cmd);
    case 'resume':
      return resumeCommand();
    case 'add_party':
      return addParty(cmd);
    case 'party_mode':
      return partyMode(cmd);
    case 'drop_party':
      return dropParty(cmd);
    case 'transfer':
      return transferCommand(cmd);
    case 'complete_transfer':
      return completeTransfer(cmd);
    case 'cancel_transfer':
      return cancelTransfer(cmd);
    case 'forward':
      return forwardCommand(cmd);
  }
  return { ok: false, error: 'unknown command type ' + cmd.type };
}

/** The ring timeout of a dial or transfer command, in seconds. @param {Command} cmd */
function ringTimeout(cmd) {
  return cmd.timeout_s && cmd.timeout_s > 0 ? cmd.timeout_s : config.ringTimeoutS;
}

/**
 * Places the outbound call a dial or transfer command names (its offer_id, contact, caller_id,
 * timeout_s). A contact the platform refuses (the call throws) is reported as a failed dial of
 * the offer: { call: null }. An unknown contact kind is the command's error.
 * @param {Command} cmd
 * @returns {{ call: Call | null, error?: string }}
 */
function placeOffer(cmd) {
  const offerId = cmd.offer_id || '';
  const kind = (cmd.contact && cmd.contact.kind) || '';
  const target = (cmd.contact && cmd.contact.target) || '';
  if (kind !== 'user' && kind !== 'sip' && kind !== 'pstn') return { call: null, error: 'unknown contact kind ' + kind };
  try {
    return { call: placeCall(kind, target, cmd.caller_id || callerNumber, ringTimeout(cmd), { 'X-Tandem-Call-Id': callId, 'X-Tandem-Offer-Id': offerId }, displayName) };
  } catch (err) {
    log('dial ' + kind + ' ' + target + ' threw: ' + err);
    knownOffers[offerId] = true;
    report(offerId, { dial_failed: { code: 404, reason: 'dial failed: ' + err, ring_time_ms: 0 } });
    return { call: null };
  }
}

/** @param {Command} cmd */
function dial(cmd) {
  const offerId = cmd.offer_id || '';
  const target = (cmd.contact && cmd.contact.target) || '';
  if (!offerId || !target) return { ok: false, error: 'dial needs offer_id and contact' };
  if (knownOffers[offerId]) return { ok: true }; // a duplicate, or cancelled before it came
  if (!caller || callerGone) return { ok: false, error: 'the caller has left' };
  if (phase !== 'waiting') return { ok: false, error: 'the call is ' + phase };
  if (leg && leg.state === 'connected') return { ok: false, error: 'already talking to an operator' };
  // A plain dial means Tandem moved on without a cancel we saw: stop the old legs quietly. A leg
  // of a ring (ring_all) rings beside the call's others.
  if (!cmd.ring_all) stopRinging('superseded');
  const timeoutS = ringTimeout(cmd);
  const placed = placeOffer(cmd);
  if (placed.error) return { ok: false, error: placed.error };
  const call = placed.call;
  if (!call) return { ok: true }; // reported as failed
  knownOffers[offerId] = true;
  /** @type {Leg} */
  const l = { call: call, offerId: offerId, dialedAt: Date.now(), state: 'ringing', rang: false, stop: '', ringTimer: null };
  dialing.push(l);
  l.ringTimer = setTimeout(() => {
    if (l.state === 'ringing') {
      log('operator did not answer in ' + timeoutS + ' s');
      stopLeg(l, 'timeout');
    }
  }, timeoutS * 1000);
  call.addEventListener(CallEvents.Ringing, () => operatorRinging(l));
  call.addEventListener(CallEvents.Connected, () => operatorConnected(l));
  call.addEventListener(CallEvents.Failed, (e) => operatorFailed(l, e.code, e.reason));
  call.addEventListener(CallEvents.Disconnected, () => operatorDisconnected(l));
  return { ok: true };
}

/**
 * Ends a ringing operator leg on the scenario's side (once: the first reason stands).
 * @param {Leg} l @param {Leg['stop']} why
 */
function stopLeg(l, why) {
  if (l.state !== 'ringing' || l.stop) return;
  l.stop = why;
  clear(l.ringTimer);
  hangupLocally(l.call); // VoxEngine then fires Failed (487)
}

/** Ends every operator leg still ringing. @param {Leg['stop']} why */
function stopRinging(why) {
  for (const l of dialing.slice()) stopLeg(l, why);
}

/** The offer of a leg still ringing (the first of a ring), or "": what an event names. */
function ringingOffer() {
  const l = dialing.find((d) => d.state === 'ringing');
  return l ? l.offerId : '';
}

/** The leg is no longer dialing (answered or ended). @param {Leg} l */
function notDialing(l) {
  const i = dialing.indexOf(l);
  if (i >= 0) dialing.splice(i, 1);
}

/**
 * The operator's phone rings (a progress signal from it): tell Tandem once per leg, so an
 * unanswered ring is his miss and a dial that never reached him is not.
 * @param {Leg} l
 */
function operatorRinging(l) {
  if (l.rang || l.state !== 'ringing' || l.stop) return;
  l.rang = true;
  report(l.offerId, { operator_ringing: {} });
}

/** @param {Leg} l */
function operatorConnected(l) {
  clear(l.ringTimer);
  notDialing(l);
  if (l.state !== 'ringing' || l.stop || !caller || callerGone || phase !== 'waiting' || (leg && leg.state === 'connected')) {
    // Answered just as it was cancelled, after another leg of the ring, or after the caller left:
    // hung up, not reported.
    l.state = 'ended';
    hangupLocally(l.call);
    return;
  }
  // The first to answer wins: the ring's other legs are hung up at once, not reported (Tandem
  // cancels their offers itself when it gets this answer).
  stopRinging('lost');
  leg = l;
  l.state = 'connected';
  phase = 'talking';
  bridgedAt = Date.now();
  clear(maxWaitTimer);
  musicPlaying = '';
  report(l.offerId, { operator_answered: { ring_time_ms: bridgedAt - l.dialedAt } });
  if (noticePlaying) {
    // The caller is hearing the recording notice: he hears it to its end, then the operator,
    // and the conversation is recorded. The operator hears silence meanwhile.
    log('the operator answered during the recording notice: bridging after it');
    afterSpeech = () => {
      noticePlaying = false;
      noticeHeard = true;
      bridge(l);
    };
    return;
  }
  silencePrompts();
  caller.stopPlayback();
  bridge(l);
}

/** Connects the caller and the operator who answered, and records them when the queue does. @param {Leg} l */
function bridge(l) {
  if (leg !== l || l.state !== 'connected' || !caller || callerGone) return;
  VoxEngine.sendMediaBetween(caller, l.call);
  startRecording();
}

/** @param {Leg} l @param {number} code @param {string} reason */
function operatorFailed(l, code, reason) {
  clear(l.ringTimer);
  notDialing(l);
  if (l.state === 'ended') return;
  l.state = 'ended';
  const ring = Date.now() - l.dialedAt;
  if (l.stop === 'timeout') {
    report(l.offerId, { dial_failed: { code: 408, reason: 'no answer in time', ring_time_ms: ring } });
  } else if (l.stop) {
    log('operator leg of ' + l.offerId + ' ended: ' + l.stop); // Tandem already knows
  } else {
    report(l.offerId, { dial_failed: { code: code, reason: reason, ring_time_ms: ring } });
  }
}

/** @param {Leg} l */
function operatorDisconnected(l) {
  notDialing(l);
  const was = l.state;
  l.state = 'ended';
  if (was !== 'connected' || hungUpLocally(l.call)) return;
  if (consult && leg === l) {
    operatorLeftConsult(l, consult);
    return;
  }
  endParties(); // the talk is over: its parties' legs end with it
  // The operator hung up first; the caller is still here and may be asked something.
  if (!hungUpBy) hungUpBy = 'HANGUP_PARTY_OPERATOR';
  phase = 'after';
  awaitingReplies++;
  report(l.offerId, { call_ended: { hung_up_by: hungUpBy, talk_time_ms: Date.now() - bridgedAt } }).then(() => {
    awaitingReplies--;
    endAfterCall();
  });
}

/** Ends the call after the operator left, once nothing more is being said or asked. */
function endAfterCall() {
  if (phase !== 'after' || awaitingReplies > 0 || speaking || question) return;
  if (caller && !callerGone) hangupLocally(caller);
  finish();
}

/** @param {Command} cmd */
function cancel(cmd) {
  const offerId = cmd.offer_id || '';
  if (!offerId) return { ok: false, error: 'cancel needs offer_id' };
  if (leg && leg.offerId === offerId && leg.state === 'connected') return { ok: false, error: 'already answered' };
  const ringing = dialing.find((l) => l.offerId === offerId);
  if (ringing) stopLeg(ringing, 'cancel'); // a leg already stopped (lost to another, say): nothing
  if (consult && consult.offerId === offerId) {
    if (consult.state === 'connected') return { ok: false, error: 'already answered' };
    endConsult(consult, 'cancel');
  }
  knownOffers[offerId] = true;
  return { ok: true };
}

/** @param {Command} cmd */
function say(cmd) {
  if (!cmd.text) return { ok: false, error: 'say needs text' };
  if (!caller || callerGone) return { ok: false, error: 'the caller has left' };
  if (phase === 'waiting') {
    speak(cmd.text, playMusic);
    return { ok: true };
  }
  if (phase === 'after') {
    speak(cmd.text, endAfterCall);
    return { ok: true };
  }
  return { ok: false, error: 'not while the call is ' + phase };
}

/** @param {Command} cmd */
function ask(cmd) {
  const questionId = cmd.question_id || '';
  if (!cmd.text || !questionId) return { ok: false, error: 'ask needs text and question_id' };
  if (!caller || callerGone) return { ok: false, error: 'the caller has left' };
  if (phase !== 'waiting' && phase !== 'after') return { ok: false, error: 'not while the call is ' + phase };
  if (question) stopListening();
  speak(cmd.text, () => listen(questionId));
  return { ok: true };
}

/** @param {Command} cmd */
function hangupCommand(cmd) {
  if (phase === 'ending') return { ok: true };
  if (!hungUpBy) hungUpBy = 'HANGUP_PARTY_SYSTEM';
  if (phase === 'talking' && leg) {
    const l = leg;
    l.state = 'ended';
    hangupLocally(l.call);
    report(l.offerId, { call_ended: { hung_up_by: hungUpBy, talk_time_ms: Date.now() - bridgedAt } });
    if (caller && !callerGone) hangupLocally(caller);
    finish();
    return { ok: true };
  }
  stopRinging('system');
  if (phase === 'waiting' && caller && !callerGone) {
    // Tandem ended a waiting call: say its text (a closed queue's message) or goodbye first.
    phase = 'ending';
    clear(maxWaitTimer);
    silencePrompts();
    speak(cmd.text || config.goodbyeText, () => {
      if (caller && !callerGone) hangupLocally(caller);
      finish();
    });
    return { ok: true };
  }
  if (caller && !callerGone) hangupLocally(caller);
  finish();
  return { ok: true };
}

/** Seconds a forwarded call rings before the caller hears goodbye, when the command says none. */
const FORWARD_RING_S = 60;

/**
 * Tandem is done with a waiting call: say the text (if any), then dial the contact and put the
 * caller through; the session ends when either side hangs up. Nothing more is reported.
 * @param {Command} cmd
 */
function forwardCommand(cmd) {
  const kind = (cmd.contact && cmd.contact.kind) || '';
  const target = (cmd.contact && cmd.contact.target) || '';
  if (kind !== 'user' && kind !== 'sip' && kind !== 'pstn') return { ok: false, error: 'forward needs a contact (user, sip or pstn)' };
  if (!target) return { ok: false, error: 'forward needs a contact target' };
  if (!caller || callerGone) return { ok: false, error: 'the caller has left' };
  if (phase === 'forward') return { ok: true }; // a duplicate
  if (phase !== 'waiting') return { ok: false, error: 'not while the call is ' + phase };
  phase = 'forward';
  clear(maxWaitTimer);
  stopRinging('system');
  silencePrompts();
  const dialIt = () => {
    if (!caller || callerGone) return;
    musicPlaying = '';
    playMusic();
    const timeoutS = cmd.timeout_s && cmd.timeout_s > 0 ? cmd.timeout_s : FORWARD_RING_S;
    /** @type {Call} */
    let call;
    try {
      call = placeCall(kind, target, cmd.caller_id || callerNumber, timeoutS, { 'X-Tandem-Call-Id': callId }, displayName);
    } catch (err) {
      log('forward to ' + kind + ' ' + target + ' threw: ' + err);
      giveUp();
      return;
    }
    log('forwarding to ' + kind + ' ' + target);
    putThrough(call, timeoutS);
  };
  if (cmd.text) speak(cmd.text, dialIt);
  else dialIt();
  return { ok: true };
}

// ---- Fallback and the end ------------------------------------------------------------------

/** Tandem cannot take the call: apologise, then the fallback number or a polite goodbye.
 * @param {string} why */
function fallback(why) {
  if (phase === 'fallback' || phase === 'ending' || !caller || callerGone) return;
  log('falling back: ' + why);
  phase = 'fallback';
  clear(maxWaitTimer);
  stopRinging('system');
  silencePrompts();
  speak(config.apologyText, () => {
    if (!config.fallbackNumber) {
      speak(config.goodbyeText, () => {
        if (caller && !callerGone) hangupLocally(caller);
        finish();
      });
      return;
    }
    playMusic();
    dialFallback();
  });
}

function dialFallback() {
  if (!caller || callerGone) return;
  const n = config.fallbackNumber;
  const callerid = config.fallbackCallerId || callerNumber;
  /** @type {Call} */
  let call;
  try {
    if (n.indexOf('sip:') === 0 || n.indexOf('sips:') === 0) call = VoxEngine.callSIP(n, { callerid: callerid });
    else if (n.indexOf('user:') === 0) call = VoxEngine.callUser({ username: n.slice(5), callerid: callerid });
    else call = VoxEngine.callPSTN(n, callerid);
  } catch (err) {
    log('fallback dial threw: ' + err);
    giveUp();
    return;
  }
  log('dialing the fallback ' + n);
  putThrough(call, 0);
}

/**
 * Puts the caller through to an outbound call once it answers (the fallback number, or a
 * forward): the caller hears music while it rings and goodbye if it fails or does not answer
 * within timeoutS (0: the cloud's own timeout); either side hanging up ends the session.
 * @param {Call} call @param {number} timeoutS
 */
function putThrough(call, timeoutS) {
  fallbackLeg = call;
  let answered = false;
  /** @type {number | null} */
  const timer = timeoutS > 0 ? setTimeout(() => {
    if (answered) return;
    log('the call put through did not answer in ' + timeoutS + ' s');
    hangupLocally(call);
    giveUp();
  }, timeoutS * 1000) : null;
  call.addEventListener(CallEvents.Connected, () => {
    answered = true;
    clear(timer);
    if (!caller || callerGone) {
      hangupLocally(call);
      return;
    }
    silencePrompts();
    musicPlaying = '';
    caller.stopPlayback();
    VoxEngine.sendMediaBetween(caller, call);
  });
  call.addEventListener(CallEvents.Failed, (e) => {
    clear(timer);
    if (hungUpLocally(call)) return;
    log('the call put through failed: ' + e.code + ' ' + e.reason);
    giveUp();
  });
  call.addEventListener(CallEvents.Disconnected, () => {
    clear(timer);
    if (hungUpLocally(call)) return;
    if (caller && !callerGone) hangupLocally(caller);
    finish();
  });
}

function giveUp() {
  if (!caller || callerGone) {
    finish();
    return;
  }
  speak(config.goodbyeText, () => {
    if (caller && !callerGone) hangupLocally(caller);
    finish();
  });
}

let finishing = false;

/** Hangs up what is left, lets the reports drain, and ends the session. */
function finish() {
  if (finishing) return;
  finishing = true;
  phase = 'ending';
  clear(maxWaitTimer);
  silencePrompts();
  stopRinging('system');
  if (leg && leg.state === 'connected') {
    leg.state = 'ended';
    hangupLocally(leg.call);
  }
  if (fallbackLeg) hangupLocally(fallbackLeg);
  endParties();
  if (consult) endConsult(consult, 'system');
  drained().then(() => {
    log('session done (hung up by ' + (hungUpBy || 'nobody') + ')');
    VoxEngine.terminate();
  });
}

// ---- Caller leg ----------------------------------------------------------------------------

function callerDisconnected() {
  if (callerGone) return;
  callerGone = true;
  const byUs = caller !== null && hungUpLocally(caller);
  if (!byUs && !hungUpBy) hungUpBy = 'HANGUP_PARTY_CALLER';
  speaking = false;
  afterSpeech = null;
  clear(speechTimer);
  if (asr) stopListening();
  switch (phase) {
    case 'menu':
      menuLeft();
      finish();
      return;
    case 'new':
    case 'waiting':
      stopRinging('abandoned');
      if (callId) {
        reportAbandoned();
        finish();
      } else if (!outboxBusy && outbox.length === 0) {
        finish(); // never registered, and no intake under way
      } // else: registerCall reports the abandonment when its intake returns
      return;
    case 'talking':
      if (leg) {
        const l = leg;
        l.state = 'ended';
        hangupLocally(l.call);
        report(l.offerId, { call_ended: { hung_up_by: hungUpBy || 'HANGUP_PARTY_SYSTEM', talk_time_ms: Date.now() - bridgedAt } });
      }
      finish();
      return;
    case 'voicemail':
      if (voicemailRec && !voicemailRec.reported) {
        // The record stops with the call: RecordStopped reports it, then the session ends.
        const rec = voicemailRec;
        setTimeout(() => {
          if (!rec.reported) {
            log('voicemail: the record never stopped');
            rec.reported = true;
            finish();
          }
        }, VOICEMAIL_STOP_WAIT_MS);
        return;
      }
      finish();
      return;
    default:
      finish();
  }
}

// ---- Application events --------------------------------------------------------------------

VoxEngine.addEventListener(AppEvents.Started, (e) => {
  accessURL = e.accessURL;
  accessSecureURL = e.accessSecureURL;
  sessionId = String(e.sessionId);
  configLoaded = loadConfig(config, DEFAULT_CONFIG, { fromCustomData: true, logUnknown: true });
});

VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  if (caller) {
    e.call.reject(486); // one inbound call per session
    return;
  }
  const call = e.call;
  caller = call;
  arrivedAt = Date.now();
  callerNumber = e.callerid || '';
  // PSTN destinations may come without "+"; Tandem's queues list E.164 numbers.
  dialedNumber = /^[0-9]{7,15}$/.test(e.destination || '') ? '+' + e.destination : e.destination || '';
  displayName = e.displayName || '';
  sipHeaders = {};
  Object.keys(e.headers || {})
    .slice(0, 64)
    .forEach((k) => {
      sipHeaders[k] = String(e.headers[k]);
    });
  callCustomData = e.customData || '';

  call.addEventListener(CallEvents.Connected, () => {
    playMusic();
    configLoaded.then(() => {
      if (callerGone || phase !== 'new') return;
      playMusic(); // the stored configuration may name other music
      if (config.maxWaitS > 0) {
        maxWaitTimer = setTimeout(() => {
          if (phase !== 'waiting') return;
          hungUpBy = 'HANGUP_PARTY_SYSTEM';
          report(ringingOffer(), { call_ended: { hung_up_by: hungUpBy, talk_time_ms: 0 } });
          fallback('waited longer than ' + config.maxWaitS + ' s');
        }, config.maxWaitS * 1000);
      }
      registerCall();
    });
  });
  call.addEventListener(CallEvents.Disconnected, () => callerDisconnected());
  call.addEventListener(CallEvents.PlaybackFinished, (ev) => {
    if (ev.error) log('playback error: ' + ev.error);
    if (speaking) {
      speechDone();
      return;
    }
    // Looped music does not finish by itself: this one failed. Try again, or speak instead.
    musicErrors++;
    musicPlaying = '';
    playMusic();
  });
  call.answer();
});

// Commands from Tandem, POSTed to accessURL / accessSecureURL (common.js's commandReply).
VoxEngine.addEventListener(AppEvents.HttpRequest, (e) => commandReply(config.secret, e.headers, e.content || '', handleCommand));

VoxEngine.addEventListener(AppEvents.Terminating, () => {
  log('terminating; outbox ' + outbox.length + (outboxBusy ? ' + 1 in flight' : ''));
});
