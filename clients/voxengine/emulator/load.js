// @ts-check
'use strict';
/**
 * Load mode: places emulated calls at a steady rate against a backend (a running Tandem, or the
 * echo baseline), runs the real scenario for each, and sums up what happened.
 */
const { Emulator, CALLEES } = require('./voxengine.js');

/**
 * @typedef {Object} LoadOptions
 * @property {string} backend        the backend's base URL
 * @property {string} secret
 * @property {number} calls
 * @property {number} rate           calls per second
 * @property {string} [dialed]       the number the callers dial
 * @property {(target: string) => import('./voxengine.js').CalleeScript} [callee] the operators' phones
 * @property {import('./voxengine.js').CallerScript} [caller]
 * @property {Record<string, unknown>} [config]  more scenario configuration
 * @property {number} [timeScale]
 * @property {number} [maxTimeS]      give up on calls still running after this long (wall clock)
 * @property {string[]} [scenarios] the inbound rule's scenario files, in order (default the emulator's: common.js, scenario.js)
 * @property {(line: string) => void} [progress]
 */

/**
 * @typedef {Object} LoadSummary
 * @property {number} placed
 * @property {number} ok              connected to an operator, ended, both reported and accepted
 * @property {number} failed          placed − ok
 * @property {Record<string, number>} failures by kind
 * @property {number} wallS           first call placed → last session ended
 * @property {number} callsPerS       ok / wallS
 * @property {number} peakConcurrent  most sessions alive at once
 * @property {{ p50: number, p95: number, p99: number, max: number }} intakeMs   the accepted intake request
 * @property {{ p50: number, p95: number, p99: number, max: number }} eventMs    accepted event reports
 * @property {{ p50: number, p95: number, p99: number, max: number }} answerS    arrival → bridged to an operator
 * @property {number} requests        HTTP requests the scenarios made
 * @property {number} retries         of which retries
 */

/** @param {number[]} xs */
function percentiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  /** @param {number} p */
  const at = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : 0);
  return { p50: at(50), p95: at(95), p99: at(99), max: s.length ? s[s.length - 1] : 0 };
}

/**
 * @param {LoadOptions} o
 * @returns {Promise<LoadSummary>}
 */
async function runLoad(o) {
  const progress = o.progress || (() => {});
  const emu = new Emulator({
    scenarios: o.scenarios,
    timeScale: o.timeScale || 1,
    secrets: {
      tandem_config: JSON.stringify(Object.assign({ backendUrl: o.backend, secret: o.secret, holdMusicUrl: 'https://media.example.com/hold.mp3' }, o.config || {})),
    },
    callee: (kind, target) => (o.callee ? o.callee(target) : undefined),
    defaultCallee: CALLEES.answer(1, 5),
  });
  await emu.start();
  /** @type {import('./voxengine.js').Session[]} */
  const sessions = [];
  let peak = 0;
  let firstAt = 0;
  let lastEnd = 0;
  const maxTimeMs = (o.maxTimeS || o.calls / o.rate + 120) * 1000;
  const allEnded = new Promise((resolve) => {
    let ended = 0;
    emu.on('ended', () => {
      lastEnd = Date.now();
      if (++ended === o.calls) resolve(undefined);
    });
  });
  const t0 = Date.now();
  firstAt = t0;
  const ticker = setInterval(() => progress(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${sessions.length} placed, ${emu.live.size} live`), 2000);
  let giveUp;
  try {
    await new Promise((resolve) => {
      let i = 0;
      const next = () => {
        if (i >= o.calls) {
          resolve(undefined);
          return;
        }
        const s = emu.placeCall({ callerid: `+1555${String(1000000 + i).slice(-7)}`, destination: o.dialed || '+18005550100', displayName: `Caller ${i + 1}`, caller: o.caller });
        sessions.push(s);
        peak = Math.max(peak, emu.live.size);
        i++;
        // Pace arrivals on the wall clock: call i is due at i / rate seconds.
        setTimeout(next, Math.max(0, t0 + (i * 1000) / o.rate - Date.now()));
      };
      next();
    });
    const peakTimer = setInterval(() => (peak = Math.max(peak, emu.live.size)), 50);
    await Promise.race([allEnded, new Promise((resolve) => (giveUp = setTimeout(resolve, Math.max(0, maxTimeMs - (Date.now() - t0)))))]);
    clearInterval(peakTimer);
  } finally {
    clearInterval(ticker);
    if (giveUp) clearTimeout(giveUp);
    if (!lastEnd || emu.live.size > 0) lastEnd = Date.now();
    await emu.close();
  }

  /** @type {Record<string, number>} */
  const failures = {};
  const fail = (/** @type {string} */ kind) => (failures[kind] = (failures[kind] || 0) + 1);
  /** @type {number[]} */
  const intake = [];
  /** @type {number[]} */
  const events = [];
  /** @type {number[]} */
  const answer = [];
  let ok = 0;
  let requests = 0;
  let retries = 0;
  for (const s of sessions) {
    const outs = s.records.filter((r) => r.type === 'http-out');
    requests += outs.length;
    const bodies = new Set();
    for (const r of outs) {
      const id = r.body ? JSON.parse(r.body).request_id : '';
      if (bodies.has(id)) retries++;
      bodies.add(id);
      const path = new URL(r.url).pathname;
      if (r.code === 200) (path === '/v1/calls' ? intake : events).push(r.ms);
    }
    const accepted = (/** @type {string} */ kind) => outs.some((r) => r.code === 200 && r.body && JSON.parse(r.body)[kind] !== undefined);
    const bridged = s.records.find((r) => r.type === 'heard' && r.what === 'call');
    if (bridged) answer.push(bridged.t / 1000);
    if (s.errors.length) fail('scenario error');
    else if (s.records.some((r) => r.type === 'killed')) fail('unfinished');
    else if (s.logs().some((l) => l.includes('falling back'))) fail('fallback');
    else if (accepted('caller_abandoned')) fail('abandoned');
    else if (!bridged) fail('never connected');
    else if (!accepted('operator_answered') || !accepted('call_ended')) fail('report not accepted');
    else ok++;
  }
  const wallS = Math.max(0.001, (lastEnd - firstAt) / 1000);
  return {
    placed: sessions.length,
    ok,
    failed: sessions.length - ok,
    failures,
    wallS,
    callsPerS: ok / wallS,
    peakConcurrent: peak,
    intakeMs: percentiles(intake),
    eventMs: percentiles(events),
    answerS: percentiles(answer),
    requests,
    retries,
  };
}

module.exports = { runLoad, percentiles };
