// @ts-check
'use strict';
/**
 * A programmable stand-in for Tandem's cloud endpoints, for scenario tests of what the real
 * server does not do (yet) or does not do on demand: ask, hangup, replies carrying a next
 * command, refusals, slowness. It checks signatures like Tandem, records every request, and
 * can POST signed commands to a session's accessURL.
 */
const http = require('node:http');
const crypto = require('node:crypto');
const { SECRET } = require('./harness.js');

/**
 * @typedef {{ path: string, body: any, raw: string, headers: http.IncomingHttpHeaders, at: number }} FakeRequest
 * @typedef {(req: FakeRequest) => { status?: number, json?: unknown, delayMs?: number } | undefined} FakeHandler
 */

class FakeTandem {
  /** @param {FakeHandler} [handler] */
  constructor(handler) {
    /** @type {FakeHandler} */
    this.handler = handler || (() => undefined);
    /** @type {FakeRequest[]} */
    this.requests = [];
    this.inFlight = 0;
    this.maxInFlight = 0;
    this.badSignatures = 0;
    this.calls = 0;
    /** @type {Array<() => void>} */
    this.waiters = [];
    this.server = http.createServer((req, res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => this._serve(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    this.url = '';
  }

  async listen() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve(undefined)));
    const a = /** @type {import('node:net').AddressInfo} */ (this.server.address());
    this.url = `http://127.0.0.1:${a.port}`;
    return this;
  }

  /** @param {http.IncomingMessage} req @param {string} raw @param {http.ServerResponse} res */
  _serve(req, raw, res) {
    const id = String(req.headers['webhook-id'] || '');
    const ts = String(req.headers['webhook-timestamp'] || '');
    const want = sign(SECRET, id, ts, raw);
    if (!id || Math.abs(Date.now() / 1000 - Number(ts)) > 300 || req.headers['webhook-signature'] !== want) {
      this.badSignatures++;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":16,"message":"bad signature"}');
      return;
    }
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    /** @type {FakeRequest} */
    const r = { path: req.url || '', body: JSON.parse(raw), raw, headers: req.headers, at: Date.now() };
    this.requests.push(r);
    const out = this.handler(r) || {};
    let json = out.json;
    if (json === undefined) json = r.path === '/v1/calls' ? { call_id: `fake-call-${++this.calls}`, queue_id: 'support', position: 1 } : {};
    setTimeout(() => {
      this.inFlight--;
      res.writeHead(out.status || 200, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      this.waiters.forEach((w) => w());
    }, out.delayMs || 0);
  }

  /**
   * The requests that reported an event of this kind.
   * @param {string} kind
   */
  events(kind) {
    return this.requests.filter((r) => r.body[kind] !== undefined);
  }

  /**
   * Waits until pred holds over the recorded requests.
   * @param {(reqs: FakeRequest[]) => boolean} pred @param {number} timeoutMs @param {string} what
   */
  waitUntil(pred, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred(this.requests)) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(undefined);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`fake tandem: no ${what} within ${timeoutMs} ms; got ${this.requests.map((r) => r.path + ' ' + r.raw).join('\n')}`));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  /**
   * POSTs a signed command to an accessURL; returns the parsed reply.
   * @param {string} accessURL @param {Record<string, unknown>} cmd @param {string} [id]
   */
  async command(accessURL, cmd, id) {
    const body = JSON.stringify(cmd);
    const wid = id || 'cmd_' + crypto.randomBytes(8).toString('hex');
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(accessURL, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'webhook-id': wid, 'webhook-timestamp': ts, 'webhook-signature': sign(SECRET, wid, ts, body) },
    });
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(() => resolve(undefined)));
  }
}

/** @param {string} secret @param {string} id @param {string} ts @param {string} body */
function sign(secret, id, ts, body) {
  return 'v1,' + crypto.createHmac('sha256', secret).update(`${id}.${ts}.${body}`).digest('base64');
}

module.exports = { FakeTandem, sign };
