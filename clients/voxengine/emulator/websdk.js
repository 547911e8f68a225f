// @ts-check
'use strict';
/**
 * The client side of Voximplant, emulated for browsers: what the Voximplant Web SDK talks to.
 * A small HTTP endpoint on 127.0.0.1 (Node's built-ins only) that the operator app's emulated
 * SDK (clients/web/src/emulatedsdk.ts) uses in place of Voximplant's cloud:
 *
 *   GET  /v1/connect            a Server-Sent Events stream: the SDK's connection. First event
 *                               "hello" {connection}; then "incoming" and "ended" for calls.
 *                               The connection (and its login) ends when the stream closes.
 *   POST /v1/key    {connection, username}          → {key}: requestOneTimeLoginKey
 *   POST /v1/login  {connection, username, hash}    → {result, code}: loginWithOneTimeKey
 *   POST /v1/call   {connection, callId, action, tone?}  answer | decline | hangup | tone
 *
 * Users have passwords, as Voximplant application users do; a login hash is checked exactly as
 * Voximplant does: MD5(key + "|" + MD5(user + ":voximplant.com:" + password)), user without the
 * @application part. Bodies are JSON sent as text/plain, so browsers send no preflight.
 *
 * The emulator (voxengine.js, option webSdk) hands it every VoxEngine.callUser to a user it
 * knows: a logged-in user's browsers get IncomingCall with the call's headers, and what the
 * browser does drives the leg (answer → Connected, decline → Failed 603, hangup → Disconnected,
 * a tone → ToneReceived when the scenario handles tones). A known user who is not logged in
 * fails the leg with 480 "User Offline", as the VoxEngine summary lists for callUser; an
 * unknown user is left to the emulator's callee scripts.
 */
const http = require('node:http');
const crypto = require('node:crypto');

const md5 = (/** @type {string} */ s) => crypto.createHash('md5').update(s).digest('hex');

/** How long after the dial an offline user's leg fails (emulated seconds). */
const OFFLINE_FAIL_S = 0.2;

/**
 * @typedef {Object} Connection
 * @property {string} id
 * @property {http.ServerResponse} stream
 * @property {string} key        the one-time key handed out, not yet used
 * @property {string} user       who logged in on it ("" until then)
 */

/**
 * The callUser leg as the endpoint drives it (an emulator Call: see voxengine.js).
 * @typedef {import('./voxengine.js').Call} Call
 */

class WebSdk {
  /** @param {{ users?: Record<string, string>, host?: string, port?: number }} [opts] users: name → password */
  constructor(opts = {}) {
    this.opts = opts;
    /** @type {Map<string, string>} */
    this.users = new Map(Object.entries(opts.users || {}));
    /** @type {Map<string, Connection>} */
    this.connections = new Map();
    /** Calls ringing or talking in browsers, by the leg's id. @type {Map<string, { call: Call, user: string, answeredOn: string }>} */
    this.calls = new Map();
    /** Everything browsers did, for assertions. @type {{ t: number, type: string, [k: string]: any }[]} */
    this.records = [];
    this.server = http.createServer((req, res) => this._request(req, res));
    this.url = '';
  }

  async start() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port || 0, this.opts.host || '127.0.0.1', () => resolve(undefined));
    });
    const addr = /** @type {import('node:net').AddressInfo} */ (this.server.address());
    this.url = `http://${addr.address}:${addr.port}`;
    return this;
  }

  /** A user and his password (a Voximplant application user). @param {string} user @param {string} password */
  addUser(user, password) {
    this.users.set(user, password);
  }

  /** Whether a user is logged in on some connection. @param {string} user */
  loggedIn(user) {
    return [...this.connections.values()].some((c) => c.user === user);
  }

  /** Drops every connection, as a network failure would: the browsers see ConnectionClosed. */
  dropConnections() {
    for (const c of [...this.connections.values()]) c.stream.destroy();
  }

  async close() {
    this.dropConnections();
    await new Promise((resolve) => {
      this.server.close(() => resolve(undefined));
      this.server.closeAllConnections();
    });
  }

  /** @param {string} type @param {Record<string, any>} data */
  _record(type, data) {
    this.records.push(Object.assign({ t: Date.now(), type }, data));
  }

  // ---- VoxEngine's side (called by the emulator) ------------------------------------------

  /** Whether callUser to this user is the endpoint's to handle. @param {string} user */
  knows(user) {
    return this.users.has(user);
  }

  /**
   * VoxEngine.callUser reached a user the endpoint knows: ring his browsers, or fail as offline.
   * @param {Call} call @param {string} user @param {Record<string, string>} headers @param {number} noAnswerS
   */
  dial(call, user, headers, noAnswerS) {
    const conns = [...this.connections.values()].filter((c) => c.user === user);
    if (conns.length === 0) {
      this._record('offline', { user, callId: call.id() });
      call._remote(OFFLINE_FAIL_S, () => call._fail(480, 'User Offline'));
      return;
    }
    const id = call.id();
    this.calls.set(id, { call, user, answeredOn: '' });
    call._onEnd((kind, code, reason) => {
      this.calls.delete(id);
      for (const c of this.connections.values()) if (c.user === user) send(c, 'ended', { callId: id, event: kind, code, reason });
    });
    const incoming = { callId: id, number: call.callerid(), displayName: call.displayName(), headers: Object.assign({}, headers) };
    for (const c of conns) send(c, 'incoming', incoming);
    this._record('incoming', { user, callId: id, headers: incoming.headers });
    // The SDK answers the INVITE with 180 Ringing as soon as IncomingCall fires.
    call._remote(0.05, () => call._ringing());
    // No answer in time: the cloud gives up with 408 (after VI-CallTimeout, or 60 s).
    call._remote(noAnswerS, () => call._fail(408, 'Request Timeout'));
  }

  // ---- the browser's side ------------------------------------------------------------------

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
  _request(req, res) {
    res.setHeader('Access-Control-Allow-Origin', '*');
    const p = (req.url || '').split('?')[0];
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'content-type' }).end();
      return;
    }
    if (req.method === 'GET' && p === '/v1/connect') return this._connect(req, res);
    if (req.method !== 'POST') return reply(res, 404, { error: 'not found' });
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      /** @type {any} */
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return reply(res, 400, { error: 'the body is not JSON' });
      }
      const conn = this.connections.get(String(body.connection || ''));
      if (!conn) return reply(res, 404, { error: 'no such connection (connect first)' });
      if (p === '/v1/key') return this._key(conn, body, res);
      if (p === '/v1/login') return this._login(conn, body, res);
      if (p === '/v1/call') return this._call(conn, body, res);
      reply(res, 404, { error: 'not found' });
    });
  }

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
  _connect(req, res) {
    const id = crypto.randomBytes(12).toString('hex');
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    /** @type {Connection} */
    const conn = { id, stream: res, key: '', user: '' };
    this.connections.set(id, conn);
    this._record('connect', { connection: id });
    send(conn, 'hello', { connection: id });
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), 15000);
    res.on('close', () => {
      clearInterval(keepalive);
      this.connections.delete(id);
      this._record('disconnect', { connection: id, user: conn.user });
      if (conn.user && !this.loggedIn(conn.user)) this._userGone(conn.user);
    });
  }

  /** His last connection closed: his calls end as they would when a client vanishes. @param {string} user */
  _userGone(user) {
    for (const { call, user: u } of [...this.calls.values()]) {
      if (u !== user) continue;
      if (call.state() === 'CONNECTED') call._remoteHangup('the browser went away');
      else call._fail(480, 'User Offline');
    }
  }

  /** @param {Connection} conn @param {any} body @param {http.ServerResponse} res */
  _key(conn, body, res) {
    const user = shortName(body.username);
    if (!this.users.has(user)) return reply(res, 200, { result: false, code: 404, message: 'no such user' });
    conn.key = crypto.randomBytes(16).toString('hex');
    this._record('key', { connection: conn.id, user });
    // As the SDK reports it: an AuthResult with code 302 that carries the key.
    reply(res, 200, { result: false, code: 302, key: conn.key });
  }

  /** @param {Connection} conn @param {any} body @param {http.ServerResponse} res */
  _login(conn, body, res) {
    const user = shortName(body.username);
    const password = this.users.get(user);
    const key = conn.key;
    conn.key = ''; // one time
    const ok = password !== undefined && key !== '' && body.hash === md5(key + '|' + md5(user + ':voximplant.com:' + password));
    this._record('login', { connection: conn.id, user, ok });
    if (!ok) return reply(res, 200, { result: false, code: password === undefined ? 404 : 401, message: 'invalid login' });
    conn.user = user;
    reply(res, 200, { result: true, code: 200, displayName: user });
  }

  /** @param {Connection} conn @param {any} body @param {http.ServerResponse} res */
  _call(conn, body, res) {
    const entry = this.calls.get(String(body.callId || ''));
    if (!conn.user || !entry || entry.user !== conn.user) return reply(res, 404, { error: 'no such call' });
    const { call } = entry;
    const action = String(body.action || '');
    this._record(action, { connection: conn.id, user: conn.user, callId: call.id(), tone: body.tone });
    switch (action) {
      case 'answer':
        if (call.state() !== 'PROGRESSING') return reply(res, 409, { error: 'the call is ' + call.state() });
        entry.answeredOn = conn.id;
        call._answeredBy(conn.user);
        // His other browsers stop ringing.
        for (const c of this.connections.values()) if (c.user === conn.user && c !== conn) send(c, 'ended', { callId: call.id(), event: 'Failed', code: 487, reason: 'answered elsewhere' });
        return reply(res, 200, {});
      case 'decline':
        if (call.state() !== 'PROGRESSING') return reply(res, 409, { error: 'the call is ' + call.state() });
        call._fail(603, 'Decline');
        return reply(res, 200, {});
      case 'hangup':
        if (call.state() === 'PROGRESSING') call._fail(603, 'Decline');
        else call._remoteHangup('the operator hung up in the browser');
        return reply(res, 200, {});
      case 'tone': {
        const tone = String(body.tone || '');
        if (!/^[0-9*#]$/.test(tone)) return reply(res, 400, { error: 'a tone is one of 0-9, *, #' });
        if (call.state() !== 'CONNECTED') return reply(res, 409, { error: 'the call is ' + call.state() });
        call._tone(tone);
        return reply(res, 200, {});
      }
    }
    reply(res, 400, { error: 'unknown action ' + action });
  }
}

/** "anna@app.account.voximplant.com" → "anna". @param {unknown} username */
function shortName(username) {
  return String(username || '').split('@')[0];
}

/** @param {Connection} c @param {string} event @param {unknown} data */
function send(c, event, data) {
  c.stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** @param {http.ServerResponse} res @param {number} code @param {unknown} body */
function reply(res, code, body) {
  res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

module.exports = { WebSdk };
