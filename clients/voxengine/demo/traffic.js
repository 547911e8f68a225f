// @ts-check
'use strict';
/**
 * The living demo's traffic (make demo): a small call center's day against a running
 * `tandem demo`. The simulated operators log in through the generated client and work (Ready,
 * a miss now and then, breaks); their phones, the spare numbers and the visitor's own phone are
 * the emulator's scripted callees; callers arrive through the real scenario in the emulator on
 * a repeating schedule (a busy spell, a lull, an overload that makes sales overflow to its
 * spare numbers), some of them clients with a personal manager, some losing patience.
 *
 * Everything it knows of the call center it reads from Tandem (queues, operators, clients,
 * spares, absences), so a visitor's changes in the admin screens are followed after a restart.
 * The operators named in `humans` (anna and boris, as `tandem demo` prints) are never logged in:
 * the visitor takes their calls. A human whose Voximplant user the emulated Web SDK knows
 * (option webSdk: the launcher gives it anna) rings in the visitor's browser, and he answers
 * there; the others' phones (boris's: the visitor's "desk phone") pick up by themselves a few
 * seconds after they ring.
 */
const { createClient, ConnectError, Code } = require('@connectrpc/connect');
const { createConnectTransport } = require('@connectrpc/connect-node');
const { Emulator } = require('../emulator/voxengine.js');
const crypto = require('node:crypto');
const { Tandem, OperatorState, CallState, chooseDisposition } = require('../emulator/operators.js');
const { OfferState } = require('../build/gen/tandem/common/v1/common_pb.js');
const { AnalyticsService } = require('../build/gen/tandem/analytics/v1/analytics_pb.js');

/** @typedef {import('../emulator/voxengine.js').CalleeScript} CalleeScript */
/** @typedef {import('../emulator/voxengine.js').CallerScript} CallerScript */
/** @typedef {import('../emulator/voxengine.js').Session} Session */
/** @typedef {import('../emulator/operators.js').OperatorApp} OperatorApp */

/**
 * One spell of the schedule: its length, the arrival rate (calls a minute, Poisson) and how
 * the calls split over the queues (by queue id; queues not named share `other`).
 * @typedef {{ name: string, seconds: number, perMinute: number, mix: Record<string, number> }} Phase
 */

/**
 * The repeating schedule, sized for the demo's 16 simulated operators at work (about 15 calls a
 * minute at most): the busy hour keeps them two-thirds busy, the overload floods sales.
 * @type {Phase[]}
 */
const SCHEDULE = [
  { name: 'busy hour', seconds: 120, perMinute: 10, mix: { support: 55, sales: 30, vip: 15, night: 6, other: 5 } },
  { name: 'lull', seconds: 60, perMinute: 3, mix: { support: 55, sales: 30, vip: 15, night: 6, other: 5 } },
  { name: 'overload', seconds: 60, perMinute: 30, mix: { support: 30, sales: 60, vip: 10, night: 4, other: 2 } },
];

/**
 * @typedef {Object} TrafficOptions
 * @property {string} backend            Tandem's base URL
 * @property {string} [adminKey]         (default demo-admin-key)
 * @property {string} [secret]           the cloud secret (default demo-cloud-secret)
 * @property {string} [password]         the simulated operators' password (default demo-password)
 * @property {string[]} [humans]         operators left to the visitor (default anna, boris)
 * @property {number} [sims]             log in at most this many simulated operators (default all)
 * @property {number} [rateScale]        multiply every arrival rate (default 1)
 * @property {[number, number]} [talk]   operators' talk time range, seconds (default 15–90)
 * @property {number} [transferShare]    share of answered calls a simulated operator transfers
 *                                       blind, to a free colleague or a queue (default 0.05)
 * @property {Phase[]} [schedule]
 * @property {(line: string) => void} [log]
 * @property {number} [progressEveryS]   (default 10; 0: none)
 * @property {(ms: number) => void} [onFirstCall] the first call shows on the wallboard (Date.now())
 * @property {import('../emulator/websdk.js').WebSdk} [webSdk] the emulated Web SDK endpoint: its users ring in browsers
 * @property {{ port: number, api: import('../emulator/platform-api.js').PlatformApiOptions }} [callbacks] the emulated Management API (StartScenarios of the callback rule) on this port, which Tandem was given as --voximplant-api-url
 */

const uniform = (/** @type {number} */ a, /** @type {number} */ b) => a + Math.random() * (b - a);
const pick = /** @template T @param {T[]} xs @returns {T} */ (xs) => xs[Math.floor(Math.random() * xs.length)];
/** @param {Record<string, number>} weights @returns {string} */
function weighted(weights) {
  const entries = Object.entries(weights).filter(([, w]) => w > 0);
  let r = Math.random() * entries.reduce((a, [, w]) => a + w, 0);
  for (const [k, w] of entries) if ((r -= w) < 0) return k;
  return entries[entries.length - 1][0];
}
const clock = (/** @type {number} */ ms) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** Regular callers: fictional NANP numbers (555-01xx), several calls each over a demo. */
const CALLERS = ['212', '312', '617', '646', '718', '773', '917'].flatMap((area) => Array.from({ length: 100 }, (_, i) => `+1${area}55501${String(i).padStart(2, '0')}`));
const FIRST_NAMES = ['Alex', 'Maria', 'John', 'Olga', 'Wei', 'Fatima', 'Lucas', 'Emma', 'Ivan', 'Sara', 'Noah', 'Aiko', 'Omar', 'Julia'];

/**
 * A simulated operator: logs in, keeps his stream open, presses Ready; after a miss he notices
 * and presses Ready again a few seconds later; every few minutes he takes a short break.
 */
class SimOperator {
  /** @param {Traffic} t @param {{ id: string, name: string }} op */
  constructor(t, op) {
    this.t = t;
    this.id = op.id;
    this.name = op.name;
    /** @type {OperatorApp | null} */
    this.app = null;
    this.onBreak = false;
    this.gone = false; // someone else logged in as him: no longer simulated
    this.breaks = false; // his breaks are scheduled (once, whatever his logins)
    this.disposing = ''; // the call whose disposition he is setting
    /** @type {Set<NodeJS.Timeout>} */
    this.timers = new Set();
    /** @type {number} */
    this.state = OperatorState.OFFLINE;
  }

  /** @param {number} s @param {() => void} fn */
  later(s, fn) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.t.stopping && !this.gone) fn();
    }, s * 1000);
    this.timers.add(timer);
  }

  async start() {
    const app = await this.t.tandem.logIn(this.name, this.t.password);
    this.app = app;
    // A call transferred once is not transferred again: the colleague who takes it finishes it.
    app.on('status', (/** @type {import('../emulator/operators.js').OperatorStatus} */ st) => {
      this.saw(st.state, st.call && !st.call.transfer ? st.call.callId : '');
      this.dispose(st);
    });
    app.once('closed', () => this.closed(app));
    this.saw(app.status ? app.status.state : OperatorState.OFFLINE);
    await this.ready();
    if (!this.breaks) {
      this.breaks = true;
      this.later(uniform(60, 240), () => this.maybeBreak());
    }
  }

  async ready() {
    if (!this.app || this.t.stopping || this.gone) return;
    await this.app.ready().catch(() => {});
  }

  /** @param {number} state @param {string} [callId] the call he talks on, when he may transfer it */
  saw(state, callId = '') {
    const was = this.state;
    this.state = state;
    if (state === OperatorState.ON_CALL && was !== OperatorState.ON_CALL && callId && Math.random() < this.t.transferShare) {
      // Now and then a caller needs someone else: a word first, then a blind transfer.
      this.later(uniform(1, Math.max(1.5, Math.min(4, this.t.talk[0] - 1))), () => this.transfer(callId));
    }
    if (state === OperatorState.AWAY && !this.onBreak && was !== OperatorState.AWAY) {
      // A missed call (or a ban that ended): he notices after a while and is ready again.
      this.later(uniform(4, 12), () => {
        if (this.state === OperatorState.AWAY && !this.onBreak) this.ready();
      });
    } else if (state === OperatorState.OFFLINE && was !== OperatorState.OFFLINE) {
      this.later(2, () => this.ready());
    }
  }

  /**
   * In wrap-up he sets the call's disposition when its queue has some, a few seconds in: the
   * wrap-up time then frees him (a queue that requires one would keep him in wrap-up without).
   * @param {import('../emulator/operators.js').OperatorStatus} st
   */
  dispose(st) {
    const call = st.call;
    if (st.state !== OperatorState.WRAP_UP || !call || call.disposition || call.dispositions.length === 0 || this.disposing === call.callId) return;
    this.disposing = call.callId;
    const code = chooseDisposition(call);
    this.later(uniform(1, 3), () => {
      const app = this.app;
      if (!app || app.status?.state !== OperatorState.WRAP_UP || app.status.callId !== call.callId) return;
      app.setDisposition(call.callId, code).then(
        () => this.t.stats.dispositions++,
        (err) => this.t.note(`${this.name}: disposition refused (${err instanceof ConnectError ? err.rawMessage : err})`),
      );
    });
  }

  /**
   * Transfers the call he talks on, blind: to a free simulated colleague half the time when
   * there is one, else back to a queue of the call center (the caller keeps his place by his
   * arrival). Never to the visitor's operators: they get their queues' calls and the visitor's
   * own transfers, so boris (in no queue) is free whenever the visitor wants to transfer to him.
   * @param {string} callId
   */
  async transfer(callId) {
    const app = this.app;
    if (!app || this.state !== OperatorState.ON_CALL || !app.status || !app.status.call || app.status.call.callId !== callId) return;
    try {
      const targets = await app.transferTargets();
      const free = targets.operators.filter((o) => !o.busy && !this.t.humans.has(o.name));
      const queues = targets.queues.filter((q) => this.t.queues.has(q.queueId));
      if (free.length > 0 && (Math.random() < 0.5 || queues.length === 0)) {
        const to = pick(free);
        await app.transfer(callId, { operatorId: to.operatorId }, 'blind');
        this.t.note(`${this.name} transfers a call to ${to.name}`);
      } else if (queues.length > 0) {
        const to = pick(queues);
        await app.transfer(callId, { queueId: to.queueId }, 'blind');
        this.t.note(`${this.name} transfers a call to the ${to.name} queue`);
      } else {
        return;
      }
      this.t.stats.transfers++;
    } catch (err) {
      // The call ended, or the colleague was taken meanwhile: nothing to do.
      this.t.note(`${this.name}: transfer refused (${err instanceof ConnectError ? err.rawMessage : err})`);
    }
  }

  maybeBreak() {
    if (this.state === OperatorState.READY && this.t.onBreak() < this.t.maxBreaks) {
      this.onBreak = true;
      const app = this.app;
      app
        ?.away(pick(['break', 'coffee break', 'lunch', 'training']))
        .then(() => this.t.note(`${this.name} takes a break`))
        .catch(() => (this.onBreak = false));
      this.later(uniform(20, 60), async () => {
        this.onBreak = false;
        await this.ready();
      });
      this.later(uniform(180, 420), () => this.maybeBreak());
    } else {
      this.later(15, () => this.maybeBreak());
    }
  }

  /** His stream ended: Tandem restarted (log in again), or someone else logged in as him. @param {OperatorApp} app */
  closed(app) {
    if (this.t.stopping || this.app !== app) return;
    const err = app.streamError;
    if (err instanceof ConnectError && err.code === Code.Aborted) {
      this.gone = true;
      this.t.note(`${this.name} logged in elsewhere (you?): no longer simulated`);
      return;
    }
    this.app = null;
    this.state = OperatorState.OFFLINE;
    const retry = (/** @type {number} */ s) =>
      this.later(s, () =>
        this.start().catch((e) => {
          this.t.note(`${this.name}: log in again failed (${e.message || e}); retrying`);
          retry(Math.min(30, s * 2));
        }),
      );
    retry(2);
  }

  async stop() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const app = this.app;
    if (!app || this.gone) return;
    await this.t.tandem.presence.logOut({}, app.opts()).catch(() => {});
    app.close();
  }
}

class Traffic {
  /** @param {TrafficOptions} o */
  constructor(o) {
    this.o = o;
    this.log = o.log || ((/** @type {string} */ s) => process.stdout.write(`${s}\n`));
    this.adminKey = o.adminKey || 'demo-admin-key';
    this.secret = o.secret || 'demo-cloud-secret';
    this.password = o.password || 'demo-password';
    this.humans = new Set(o.humans || ['anna', 'boris']);
    this.schedule = o.schedule || SCHEDULE;
    this.rateScale = o.rateScale || 1;
    this.talk = o.talk || [15, 90];
    this.transferShare = o.transferShare ?? 0.05;
    this.tandem = new Tandem(o.backend, { adminKey: this.adminKey });
    this.analytics = createClient(AnalyticsService, createConnectTransport({ baseUrl: o.backend, httpVersion: '2', sessionManager: this.tandem.sessions }));
    /** @type {SimOperator[]} */
    this.sims = [];
    this.maxBreaks = 2;
    /** @type {Map<string, { number: string, share: number }>} queue id → its dialed number */
    this.queues = new Map();
    /** @type {Map<string, string>} contact target → operator name, for the visitor's operators */
    this.humanTargets = new Map();
    /** @type {Set<string>} */
    this.spareTargets = new Set();
    /** @type {Set<string>} the simulated operators' contact targets (anyone's in the call center but the visitor's) */
    this.operatorTargets = new Set();
    /** @type {string[]} client numbers with a manager */
    this.clients = [];
    /** @type {{ number: string, choices: { queue: string, digit: string, word: string }[], voicemail: string } | null} the main line's IVR menu (its first node; voicemail: the key to a queue's voicemail) */
    this.menu = null;
    this.stopping = false;
    this.startedAt = 0;
    this.callsFrom = 0;
    this.firstCallAt = 0;
    this.firstPlacedAt = 0;
    this.stats = { placed: 0, answered: 0, atSpares: 0, abandoned: 0, missedRings: 0, ended: 0, humanCalls: 0, transfers: 0, dispositions: 0, viaMenu: 0, closed: 0, callbacks: 0, voicemails: 0 };
    /** @type {string[]} */
    this.notes = [];
    /** @type {Set<NodeJS.Timeout>} */
    this.timers = new Set();
    this.wallboard = new AbortController();
    /** @type {Session[]} */
    this.live = [];
    /** @type {Set<string>} caller numbers on a call now */
    this.onLine = new Set();
    this.emu = new Emulator({
      timeScale: 1,
      keepRecords: false,
      secrets: {
        tandem_config: JSON.stringify({ backendUrl: o.backend, secret: this.secret, holdMusicUrl: 'https://media.example.com/hold.mp3' }),
      },
      callee: (kind, target) => this.phone(target),
      webSdk: o.webSdk,
      port: o.callbacks ? o.callbacks.port : undefined,
      platformApi: o.callbacks ? o.callbacks.api : undefined,
    });
    // Calls to the visitor's operators, wherever they ring (a scripted phone or a browser).
    this.emu.on('leg', (/** @type {import('../emulator/voxengine.js').LegEvent} */ ev) => {
      if (ev.state === 'start' && this.humanTargets.has(ev.target)) this.stats.humanCalls++;
    });
  }

  /** @param {string} s */
  note(s) {
    this.notes.push(s);
  }

  onBreak() {
    return this.sims.filter((s) => s.onBreak).length;
  }

  /** How a phone behaves when the scenario dials it. @param {string} target @returns {CalleeScript} */
  phone(target) {
    if (this.humanTargets.has(target)) return { ringAfterS: 0.05, answerAfterS: 5 }; // the visitor "picks up"; the caller ends the call
    if (this.spareTargets.has(target)) return { answerAfterS: uniform(2, 5), hangupAfterS: uniform(20, 60) };
    // Someone outside the call center (a number the visitor adds to a call, transfers to or
    // monitors from): picks up a few seconds later and stays until hung up.
    if (!this.operatorTargets.has(target)) return { answerAfterS: uniform(2, 4) };
    const r = Math.random();
    if (r < 0.05) return {}; // does not pick up: the ring timer runs out, a miss
    if (r < 0.07) return { failCode: 486, failReason: 'Busy Here', failAfterS: uniform(1, 3) }; // declines
    return { answerAfterS: uniform(1, 6), hangupAfterS: uniform(this.talk[0], this.talk[1]) };
  }

  /** Reads the call center from Tandem. */
  async discover() {
    const admin = this.tandem.admin;
    const as = this.tandem.asAdmin();
    const [qs, ops, cls, sps, abs, open, mns] = await Promise.all([
      admin.listQueues({}, as),
      admin.listOperators({}, as),
      admin.listClients({}, as),
      admin.listSpares({}, as),
      admin.listAbsences({}, as),
      this.tandem.assignment.listCalls({}, as),
      admin.listMenus({}, as),
    ]);
    // The first menu with a number: some callers to sales and support dial it and choose.
    for (const m of mns.menus) {
      const first = m.nodes[0];
      if (this.menu || !m.dialedNumbers.length || !first) continue;
      const choices = [];
      let voicemail = '';
      for (const c of first.choices) {
        if (c.action && c.action.to.case === 'queueId') choices.push({ queue: c.action.to.value, digit: c.digit, word: c.words[0] || '' });
        if (c.action && c.action.to.case === 'voicemailQueueId' && c.digit) voicemail = c.digit;
      }
      this.menu = { number: m.dialedNumbers[0], choices, voicemail };
    }
    if (open.calls.length > 0) await this.closeLeftovers(open.calls);
    for (const q of qs.queues) if (q.dialedNumbers.length) this.queues.set(q.queueId, { number: q.dialedNumbers[0], share: 0 });
    for (const sp of sps.spares) if (sp.contact) this.spareTargets.add(sp.contact.target);
    this.clients = cls.clients.filter((c) => c.managerId).map((c) => c.number);
    const today = new Date().toISOString().slice(0, 10);
    const absent = new Set(abs.absences.filter((a) => a.from <= today && today <= a.to).map((a) => a.operatorId));
    /** @type {{ id: string, name: string }[]} */
    const sims = [];
    for (const op of ops.operators) {
      if (op.contact && !this.humans.has(op.name)) this.operatorTargets.add(op.contact.target);
      if (this.humans.has(op.name)) {
        if (op.contact) this.humanTargets.set(op.contact.target, op.name);
        continue;
      }
      if (op.disabled || absent.has(op.operatorId) || op.queues.length === 0) continue;
      sims.push({ id: op.operatorId, name: op.name });
    }
    const n = this.o.sims !== undefined ? Math.min(this.o.sims, sims.length) : sims.length;
    return sims.slice(0, n);
  }

  /**
   * Calls left open by an earlier run that was killed (its cloud sessions are gone, so nobody
   * would ever report their end; a connected one would keep its operator on the call for
   * hours): the traffic is the cloud here, so it reports them ended, signed as the scenario signs.
   * @param {import('../build/gen/tandem/assignment/v1/assignment_pb.js').Call[]} calls
   */
  async closeLeftovers(calls) {
    let closed = 0;
    for (const c of calls) {
      const offer = c.offers.find((o) => o.state === OfferState.ANSWERED || o.state === OfferState.PENDING);
      /** @type {Record<string, unknown>} */
      const payload = { request_id: `demo-leftover-${crypto.randomUUID()}`, occurred_at: new Date().toISOString() };
      if (c.state === CallState.CONNECTED) Object.assign(payload, { offer_id: offer ? offer.offerId : '', call_ended: { hung_up_by: 'HANGUP_PARTY_SYSTEM', talk_time_ms: 0 } });
      else Object.assign(payload, { offer_id: offer ? offer.offerId : '', caller_abandoned: { wait_time_ms: 0 } });
      const body = JSON.stringify(payload);
      const id = `msg_${crypto.randomUUID()}`;
      const ts = String(Math.floor(Date.now() / 1000));
      const sig = 'v1,' + crypto.createHmac('sha256', this.secret).update(`${id}.${ts}.${body}`).digest('base64');
      const res = await fetch(`${this.o.backend}/v1/calls/${encodeURIComponent(c.callId)}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sig },
        body,
      }).catch(() => null);
      if (res && res.ok) closed++;
    }
    this.log(`demo: ${calls.length} calls were left open by an earlier run that was killed; ${closed} reported ended`);
  }

  async start() {
    this.startedAt = Date.now();
    await this.emu.start();
    const sims = await this.discover();
    if (this.queues.size === 0) throw new Error('Tandem has no queue with a dialed number: is this tandem demo?');
    this.log(`demo: logging in ${sims.length} simulated operators (not ${[...this.humans].join(' or ')}: they are yours); calls start now (${this.schedule.map((p) => `${p.name} ${p.seconds} s at ${Math.round(p.perMinute * this.rateScale)}/min`).join(', then ')}, and again)`);
    // The first callers need not wait for every login: they wait in line a moment instead.
    this.watchWallboard();
    this.arrivals();
    let next = 0;
    /** @type {string[]} */
    const failed = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < sims.length && !this.stopping) {
          const op = new SimOperator(this, sims[next++]);
          try {
            await op.start();
            this.sims.push(op);
          } catch (err) {
            failed.push(`${op.name} (${err instanceof Error ? err.message : err})`);
          }
        }
      }),
    );
    if (failed.length) this.log(`demo: could not log in ${failed.join(', ')}: not simulated`);
    if (this.stopping) return;
    this.log(`demo: ${this.sims.length} simulated operators at work`);
    const every = this.o.progressEveryS === undefined ? 10 : this.o.progressEveryS;
    if (every > 0) this.every(every, () => this.progress());
  }

  /** @param {number} s @param {() => void} fn */
  every(s, fn) {
    const timer = setInterval(fn, s * 1000);
    this.timers.add(/** @type {any} */ (timer));
  }

  /** @param {number} s @param {() => void} fn */
  after(s, fn) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopping) fn();
    }, s * 1000);
    this.timers.add(timer);
  }

  /** The phase at ms since the calls began. @param {number} ms */
  phaseAt(ms) {
    const cycle = this.schedule.reduce((a, p) => a + p.seconds, 0) * 1000;
    let t = ms % cycle;
    for (const p of this.schedule) {
      if (t < p.seconds * 1000) return p;
      t -= p.seconds * 1000;
    }
    return this.schedule[0];
  }

  /** Poisson arrivals at the current phase's rate; the first call at once. */
  arrivals() {
    const t0 = Date.now();
    this.callsFrom = t0;
    const next = () => {
      const phase = this.phaseAt(Date.now() - t0);
      const perS = (phase.perMinute * this.rateScale) / 60;
      // Draw the gap at this phase's rate, but look again at the phase boundary at the latest,
      // so a lull does not swallow the next spell's first calls.
      const gap = perS > 0 ? -Math.log(1 - Math.random()) / perS : Infinity;
      // (Exponential gaps forget how long they waited: redrawing after 5 s changes nothing.)
      this.after(Math.min(gap, 5), () => {
        if (gap <= 5) this.placeCall(this.phaseAt(Date.now() - t0));
        next();
      });
    };
    this.placeCall(this.phaseAt(0));
    next();
  }

  /** One caller dials. @param {Phase} phase */
  placeCall(phase) {
    if (this.stopping) return;
    // Nobody calls twice at once: a number on the line now is not drawn.
    const free = (/** @type {string[]} */ xs) => xs.filter((n) => !this.onLine.has(n));
    const clients = free(this.clients);
    const client = clients.length > 0 && Math.random() < 0.1;
    const callerid = client ? pick(clients) : pick(free(CALLERS));
    this.onLine.add(callerid);
    /** @type {string} */
    let queue;
    if (client && this.queues.has('vip') && Math.random() < 0.7) queue = 'vip';
    else {
      /** @type {Record<string, number>} */
      const mix = {};
      const known = [...this.queues.keys()];
      for (const id of known) mix[id] = phase.mix[id] !== undefined ? phase.mix[id] : (phase.mix.other || 0) / Math.max(1, known.filter((k) => phase.mix[k] === undefined).length);
      queue = weighted(mix);
    }
    let line = /** @type {{ number: string }} */ (this.queues.get(queue)).number;
    const r = Math.random();
    /** @type {CallerScript} */
    const caller = {
      // After an operator ends the call Tandem may ask "would you like … to answer your calls?"
      answers: [{ text: r < 0.08 ? 'yes please' : r < 0.6 ? 'no thank you' : '', afterS: 1.5 }].filter((a) => a.text),
    };
    // One caller to support or sales in three who waits long enough to be offered a call back
    // takes it.
    if ((queue === 'support' || queue === 'sales') && Math.random() < 0.35) caller.answers = [{ text: pick(['call me back', 'call me back please', 'yes, call me back']), afterS: 1 }];
    // One caller to sales or support in three dials the main line and chooses in its menu: by
    // a key mostly, by voice often, and now and then he says nothing and gets the default.
    const choice = this.menu && !client ? this.menu.choices.find((c) => c.queue === queue) : undefined;
    if (this.menu && choice && Math.random() < 0.35) {
      line = this.menu.number;
      this.stats.viaMenu++;
      const how = Math.random();
      if (how < 0.08 && this.menu.voicemail) {
        // Now and then he leaves a message instead: the key, the prompt, 10 to 20 s of talk.
        caller.tones = [{ tone: this.menu.voicemail, atS: uniform(2, 4) }];
        caller.hangupAfterS = uniform(22, 32);
        caller.answers = [];
      } else if (how < 0.55 && choice.digit) caller.tones = [{ tone: choice.digit, atS: uniform(2, 4) }];
      else if (how < 0.9 && choice.word) caller.answers = [{ text: pick([choice.word, `${choice.word} please`, `I need ${choice.word}`]), afterS: uniform(0.5, 1.5) }, ...(caller.answers || [])];
    }
    const s = this.emu.placeCall({ callerid, destination: line, displayName: `${pick(FIRST_NAMES)} Caller`, caller });
    this.stats.placed++;
    if (!this.firstPlacedAt) this.firstPlacedAt = Date.now();
    this.live.push(s);
    let bridged = false;
    s.on('record', (/** @type {import('../emulator/voxengine.js').Rec} */ rec) => {
      if (rec.type === 'heard' && rec.what === 'call' && !bridged) {
        bridged = true;
        this.stats.answered++;
        if (this.spareTargets.has(rec.from)) this.stats.atSpares++;
        // He talks 20 s to 100 s from his first answer; with the visitor a minute or two, time
        // to try hold, the keypad and a transfer before he hangs up.
        this.after(this.humanTargets.has(String(rec.from)) ? uniform(60, 120) : uniform(20, 100), () => s.callerHangup());
      } else if (rec.type === 'http-out' && rec.code === 200 && rec.body) {
        // The intake's reply carries a command when the queue is closed (the night line) or full.
        if (new URL(rec.url).pathname === '/v1/calls' && String(rec.text || '').includes('"next"')) this.stats.closed++;
        if (rec.body.includes('"caller_abandoned"')) this.stats.abandoned++;
        if (rec.body.includes('"callback_answer":{"accepted":true')) this.stats.callbacks++;
        else if (rec.body.includes('"voicemail_recorded"')) this.stats.voicemails++;
        else if (rec.body.includes('"dial_failed"')) this.stats.missedRings++;
      }
    });
    // Two callers in five lose patience after 15 s to a minute and a half of waiting (only of
    // waiting: one who got an operator by then talks on).
    if (Math.random() < 0.4) {
      this.after(uniform(15, 90), () => {
        if (!bridged) s.callerHangup();
      });
    }
    s.terminated.then(() => {
      this.onLine.delete(callerid);
      this.stats.ended++;
      this.live = this.live.filter((x) => x !== s);
    });
  }

  /** Watches the wallboard stream, as the supervisor's page does, for the first call on it. */
  watchWallboard() {
    const opts = Object.assign(this.tandem.asAdmin(), { signal: this.wallboard.signal });
    (async () => {
      try {
        for await (const msg of this.analytics.watchWallboard({ operators: false }, opts)) {
          if (this.firstCallAt || !this.firstPlacedAt) continue;
          if (msg.queues.some((q) => q.waiting.length > 0 || q.callsConnected > 0 || q.operatorsReserved > 0 || q.operatorsOnCall > 0)) {
            this.firstCallAt = Date.now();
            if (this.o.onFirstCall) this.o.onFirstCall(this.firstCallAt);
            this.wallboard.abort();
            return;
          }
        }
      } catch {
        // stopped, or Tandem went away: the measurement is simply missing
      }
    })();
  }

  progress() {
    const st = this.stats;
    let waiting = 0;
    let talking = 0;
    for (const s of this.live) {
      if (s.records.some((r) => r.type === 'heard' && r.what === 'call')) talking++;
      else waiting++;
    }
    /** @type {Record<string, number>} */
    const ops = { ready: 0, ringing: 0, 'on call': 0, 'wrap-up': 0, break: 0, away: 0 };
    for (const o of this.sims) {
      if (o.gone) continue;
      if (o.onBreak) ops.break++;
      else if (o.state === OperatorState.READY) ops.ready++;
      else if (o.state === OperatorState.RESERVED) ops.ringing++;
      else if (o.state === OperatorState.ON_CALL) ops['on call']++;
      else if (o.state === OperatorState.WRAP_UP) ops['wrap-up']++;
      else ops.away++;
    }
    const phase = this.phaseAt(Date.now() - (this.callsFrom || Date.now()));
    this.log(
      `demo ${clock(Date.now() - this.startedAt)} ${phase.name.padEnd(9)} | calls ${st.placed} placed${st.viaMenu ? ` (${st.viaMenu} through the menu)` : ''}, ${st.answered} answered${st.atSpares ? ` (${st.atSpares} by spare numbers)` : ''}${st.transfers ? `, ${st.transfers} transferred` : ''}, ${st.abandoned} abandoned${st.closed ? `, ${st.closed} met a closed or full queue` : ''}${st.callbacks ? `, ${st.callbacks} asked to be called back` : ''}${st.voicemails ? `, ${st.voicemails} left a message` : ''}, ${st.missedRings} missed rings | now ${waiting} waiting, ${talking} talking | operators ${Object.entries(ops)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}`,
    );
    for (const n of this.notes.splice(0)) this.log(`demo: ${n}`);
  }

  /**
   * Stops: no new calls, every caller still on the line hangs up (so Tandem sees the calls end
   * rather than finding them lost later), the simulated operators log out.
   */
  async stop() {
    if (this.stopping) return;
    this.stopping = true;
    for (const n of this.notes.splice(0)) this.log(`demo: ${n}`); // what happened since the last progress line
    this.wallboard.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const live = [...this.live];
    for (const s of live) s.callerHangup();
    await Promise.race([Promise.all(live.map((s) => s.terminated)), new Promise((r) => setTimeout(r, 5000))]);
    await Promise.all(this.sims.map((o) => o.stop()));
    for (const n of this.notes.splice(0)) this.log(`demo: ${n}`); // what the last report did not print
    await this.emu.close();
    this.tandem.close();
  }
}

/**
 * Starts the traffic; resolves once the operators are at work and the first call is placed.
 * @param {TrafficOptions} o
 */
async function runTraffic(o) {
  const t = new Traffic(o);
  try {
    await t.start();
  } catch (err) {
    await t.stop();
    throw err;
  }
  return t;
}

module.exports = { runTraffic, Traffic, SCHEDULE };
