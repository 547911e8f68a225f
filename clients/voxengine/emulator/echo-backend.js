// @ts-check
'use strict';
/**
 * The baseline for load measurements: the smallest backend the scenario can work with. It
 * checks signatures like Tandem, answers the intake at once, POSTs a signed dial command to the
 * call's accessURL (to a made-up operator "echo-op-N"), and acknowledges every event. No queue,
 * no routing, no database: what is left is the emulator, the scenario and the HTTP round trips.
 */
const http = require('node:http');
const crypto = require('node:crypto');

/**
 * @param {{ secret: string, host?: string, port?: number }} opts
 * @returns {Promise<{ url: string, close: () => Promise<void>, stats: { intakes: number, events: number, refused: number, commands: number } }>}
 */
async function startEchoBackend(opts) {
  const stats = { intakes: 0, events: 0, refused: 0, commands: 0 };
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  let n = 0;
  /** @type {Map<string, unknown>} request_id → reply, for idempotent retries */
  const replies = new Map();

  /** @param {string} id @param {string} ts @param {string} body */
  const sign = (id, ts, body) => 'v1,' + crypto.createHmac('sha256', opts.secret).update(`${id}.${ts}.${body}`).digest('base64');

  /** @param {http.IncomingHttpHeaders} h @param {string} body */
  const verified = (h, body) => {
    const id = String(h['webhook-id'] || '');
    const ts = String(h['webhook-timestamp'] || '');
    const got = String(h['webhook-signature'] || '');
    if (!id || !ts || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
    const want = Buffer.from(sign(id, ts, body));
    return got.split(' ').some((s) => s.length === want.length && crypto.timingSafeEqual(Buffer.from(s), want));
  };

  /** @param {string} url @param {object} cmd */
  const command = (url, cmd) => {
    const body = JSON.stringify(cmd);
    const id = 'cmd_' + crypto.randomBytes(8).toString('hex');
    const ts = String(Math.floor(Date.now() / 1000));
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sign(id, ts, body) },
    });
    req.on('response', (res) => res.resume());
    req.on('error', () => {});
    req.end(body);
    stats.commands++;
  };

  const server = http.createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!verified(req.headers, body)) {
        stats.refused++;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":16,"message":"bad signature"}');
        return;
      }
      /** @type {any} */
      const msg = JSON.parse(body);
      const send = (/** @type {unknown} */ reply) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
      const known = replies.get(msg.request_id);
      if (known) return send(known);
      if (req.url === '/v1/calls') {
        stats.intakes++;
        const i = ++n;
        const reply = { call_id: `echo-call-${i}`, queue_id: 'echo', position: 1 };
        replies.set(msg.request_id, reply);
        send(reply);
        command(msg.access_secure_url || msg.access_url, { type: 'dial', call_id: reply.call_id, offer_id: `echo-offer-${i}`, contact: { kind: 'user', target: `echo-op-${i}` }, timeout_s: 20, caller_id: msg.caller_number });
        return;
      }
      stats.events++;
      replies.set(msg.request_id, {});
      send({});
    });
  });
  server.keepAliveTimeout = 10000;
  await new Promise((resolve) => server.listen(opts.port || 0, opts.host || '127.0.0.1', () => resolve(undefined)));
  const a = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${a.port}`,
    stats,
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

module.exports = { startEchoBackend };
