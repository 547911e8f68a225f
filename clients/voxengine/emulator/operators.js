// @ts-check
'use strict';
/**
 * Tandem's API through the generated TypeScript client (gen/ts, compiled to build/gen by
 * `npm run build:gen`): admin setup, and operator apps that log in, press Ready and hold their
 * WatchOperator stream open (an operator is routed calls only while it is open). The
 * operators' phones are the emulator's scripted callees; this is only their app.
 */
const { EventEmitter } = require('node:events');
const { createClient } = require('@connectrpc/connect');
const { createConnectTransport, Http2SessionManager } = require('@connectrpc/connect-node');
const { AdminService } = require('../build/gen/tandem/admin/v1/admin_pb.js');
const { OperatorPresenceService } = require('../build/gen/tandem/operatorpresence/v1/operatorpresence_pb.js');
const { AssignmentService } = require('../build/gen/tandem/assignment/v1/assignment_pb.js');
const { ContactKind, OperatorState, CallState, HangupParty, TransferMode, TransferState } = require('../build/gen/tandem/common/v1/common_pb.js');

/** @typedef {import('../build/gen/tandem/operatorpresence/v1/operatorpresence_pb.js').OperatorStatus} OperatorStatus */
/** @typedef {import('../build/gen/tandem/admin/v1/admin_pb.js').Queue} Queue */

/** Connect clients for one Tandem, over one h2c connection. */
class Tandem {
  /** @param {string} baseUrl @param {{ adminKey?: string }} [opts] */
  constructor(baseUrl, opts = {}) {
    this.baseUrl = baseUrl;
    this.adminKey = opts.adminKey || '';
    this.sessions = new Http2SessionManager(baseUrl);
    const transport = createConnectTransport({ baseUrl, httpVersion: '2', sessionManager: this.sessions });
    this.admin = createClient(AdminService, transport);
    this.presence = createClient(OperatorPresenceService, transport);
    this.assignment = createClient(AssignmentService, transport);
    /** @type {Set<OperatorApp>} */
    this.apps = new Set();
  }

  /** Call options with the admin key. */
  asAdmin() {
    return { headers: { Authorization: `Bearer ${this.adminKey}` } };
  }

  /**
   * Creates a queue (Admin API).
   * @param {{ queueId: string, name?: string, dialedNumbers?: string[], offerTimeoutS?: number, wrapUpS?: number, isDefault?: boolean, holdMusicUrl?: string, greeting?: string } & Record<string, unknown>} q
   */
  async createQueue(q) {
    const res = await this.admin.createQueue({ queue: Object.assign({ name: q.queueId }, q) }, this.asAdmin());
    return /** @type {Queue} */ (res.queue);
  }

  /**
   * Creates an operator serving the given queues.
   * @param {{ name: string, password: string, kind?: 'user' | 'sip' | 'pstn', target?: string, queues: string[] }} o
   */
  async createOperator(o) {
    const kind = { user: ContactKind.USER, sip: ContactKind.SIP, pstn: ContactKind.PSTN }[o.kind || 'user'];
    const res = await this.admin.createOperator(
      {
        name: o.name,
        displayName: o.name,
        password: o.password,
        contact: { kind, target: o.target || o.name },
        queues: o.queues.map((queueId) => ({ queueId, level: 3 })),
      },
      this.asAdmin(),
    );
    return res.operator;
  }

  /**
   * Creates or replaces an IVR menu (Admin API).
   * @param {import('@bufbuild/protobuf').MessageInitShape<typeof import('../build/gen/tandem/common/v1/common_pb.js').MenuSchema>} menu
   */
  async putMenu(menu) {
    const res = await this.admin.putMenu({ menu }, this.asAdmin());
    return res.menu;
  }

  /** @param {string} callId */
  async getCall(callId) {
    const res = await this.assignment.getCall({ callId }, this.asAdmin());
    return res.call;
  }

  /**
   * Logs an operator in and opens his WatchOperator stream (waits for the snapshot).
   * @param {string} name @param {string} password @param {{ autoReady?: boolean }} [opts]
   */
  async logIn(name, password, opts = {}) {
    const res = await this.presence.logIn({ name, password });
    const app = new OperatorApp(this, name, res.operatorId, res.token, !!opts.autoReady);
    this.apps.add(app);
    await app.watch();
    return app;
  }

  /** Closes every operator stream and the connection. */
  close() {
    for (const app of this.apps) app.close();
    this.sessions.abort();
  }
}

/**
 * A disposition an operator might choose for his call: one of its queue's, the first ones
 * likelier (queues list the common outcomes first); "" when the queue has none.
 * @param {{ dispositions: { code: string }[] }} call
 * @returns {string}
 */
function chooseDisposition(call) {
  const ds = call.dispositions;
  if (ds.length === 0) return '';
  const weights = ds.map((_, i) => ds.length - i);
  let r = Math.random() * weights.reduce((a, w) => a + w, 0);
  for (let i = 0; i < ds.length; i++) if ((r -= weights[i]) < 0) return ds[i].code;
  return ds[ds.length - 1].code;
}

/** One operator's app: his session token and his live status stream. */
class OperatorApp extends EventEmitter {
  /** @param {Tandem} tandem @param {string} name @param {string} id @param {string} token @param {boolean} autoReady */
  constructor(tandem, name, id, token, autoReady) {
    super();
    this.setMaxListeners(0);
    this.tandem = tandem;
    this.name = name;
    this.id = id;
    this.token = token;
    /** Press Ready again after wrap-up and after a miss, like a diligent operator (load mode). */
    this.autoReady = autoReady;
    /** @type {OperatorStatus[]} every status seen, snapshot first */
    this.seen = [];
    /** @type {OperatorStatus | null} */
    this.status = null;
    this.abort = new AbortController();
    this.closed = false;
    /** @type {unknown} */
    this.streamError = null;
  }

  opts() {
    return { headers: { Authorization: `Bearer ${this.token}` } };
  }

  /** Opens the presence stream; resolves on the snapshot. */
  watch() {
    return new Promise((resolve, reject) => {
      const stream = this.tandem.presence.watchOperator({}, Object.assign(this.opts(), { signal: this.abort.signal }));
      let first = true;
      (async () => {
        try {
          for await (const msg of stream) {
            if (msg.event.case === 'snapshot' || msg.event.case === 'changed') {
              this._saw(msg.event.value);
              if (first) {
                first = false;
                resolve(undefined);
              }
            }
          }
          if (first) reject(new Error(`${this.name}: stream ended before the snapshot`));
        } catch (err) {
          this.streamError = err;
          if (first) reject(err);
        } finally {
          this.emit('closed');
        }
      })();
    });
  }

  /** @param {OperatorStatus} st */
  _saw(st) {
    this.status = st;
    this.seen.push(st);
    this.emit('status', st);
    if (!this.autoReady || this.closed) return;
    if (st.state === OperatorState.WRAP_UP) {
      // A queue that requires a disposition keeps him in wrap-up until he sets one.
      const call = st.call;
      const code = call && call.dispositionRequired && !call.disposition ? chooseDisposition(call) : '';
      const dispose = code && call ? this.setDisposition(call.callId, code) : Promise.resolve();
      dispose.then(() => this.tandem.presence.endWrapUp({}, this.opts())).catch(() => {});
    } else if (st.state === OperatorState.AWAY) {
      this.tandem.presence.goReady({}, this.opts()).catch(() => {});
    }
  }

  async ready() {
    const res = await this.tandem.presence.goReady({}, this.opts());
    return res.status;
  }

  /**
   * Sets the disposition (wrap-up code) of the call in hand (OperatorPresenceService.SetDisposition).
   * @param {string} callId @param {string} code
   */
  async setDisposition(callId, code) {
    const res = await this.tandem.presence.setDisposition({ callId, code }, this.opts());
    return res.disposition;
  }

  /** Holds the call he talks on (AssignmentService.HoldCall). @param {string} callId */
  async hold(callId) {
    const res = await this.tandem.assignment.holdCall({ callId }, this.opts());
    return res.call;
  }

  /** Ends the hold (AssignmentService.ResumeCall). @param {string} callId */
  async resume(callId) {
    const res = await this.tandem.assignment.resumeCall({ callId }, this.opts());
    return res.call;
  }

  /**
   * Transfers the call he talks on (AssignmentService.TransferCall).
   * @param {string} callId
   * @param {{ operatorId?: string, queueId?: string, number?: { kind: ContactKind, target: string } }} to
   * @param {'blind' | 'warm'} mode @param {number} [priority]
   */
  async transfer(callId, to, mode, priority = 0) {
    /** @type {any} */
    let target;
    if (to.operatorId) target = { case: 'operatorId', value: to.operatorId };
    else if (to.queueId) target = { case: 'queueId', value: to.queueId };
    else target = { case: 'number', value: to.number };
    const res = await this.tandem.assignment.transferCall(
      { callId, target, mode: mode === 'warm' ? TransferMode.WARM : TransferMode.BLIND, priority },
      this.opts(),
    );
    return res.call;
  }

  /** Whom he may transfer a call to now (AssignmentService.ListTransferTargets). */
  async transferTargets() {
    return this.tandem.assignment.listTransferTargets({}, this.opts());
  }

  /** Completes his warm transfer. @param {string} callId */
  async completeTransfer(callId) {
    const res = await this.tandem.assignment.completeTransfer({ callId }, this.opts());
    return res.call;
  }

  /** Cancels his warm transfer. @param {string} callId */
  async cancelTransfer(callId) {
    const res = await this.tandem.assignment.cancelTransfer({ callId }, this.opts());
    return res.call;
  }

  /** @param {string} reason */
  async away(reason) {
    const res = await this.tandem.presence.goAway({ reason }, this.opts());
    return res.status;
  }

  /**
   * Waits until the stream shows a status matching pred (one seen since `since` counts).
   * @param {(st: OperatorStatus) => boolean} pred @param {number} timeoutMs @param {string} what
   * @param {number} [since] index into seen to start from
   * @returns {Promise<OperatorStatus>}
   */
  waitFor(pred, timeoutMs, what, since = 0) {
    const found = this.seen.slice(since).find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      /** @param {OperatorStatus} st */
      const on = (st) => {
        if (!pred(st)) return;
        done();
        resolve(st);
      };
      const onClosed = () => {
        done();
        reject(new Error(`${this.name}: stream closed while waiting for ${what} (${this.streamError})`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms; states seen: ${this.seen.map((s) => OperatorState[s.state] + (s.reason ? `(${s.reason})` : '')).join(' → ')}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.off('status', on);
        this.off('closed', onClosed);
      };
      this.on('status', on);
      this.on('closed', onClosed);
    });
  }

  /**
   * Waits for a state.
   * @param {OperatorState} state @param {number} timeoutMs @param {number} [since]
   */
  awaitState(state, timeoutMs, since = 0) {
    return this.waitFor((st) => st.state === state, timeoutMs, OperatorState[state], since);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
  }
}

module.exports = { Tandem, OperatorApp, OperatorState, CallState, HangupParty, ContactKind, TransferState, chooseDisposition };
