// @ts-check
'use strict';
/**
 * A browser's side of the emulated Web SDK endpoint (emulator/websdk.js), as the app's emulated
 * SDK (clients/web/src/emulatedsdk.ts) uses it: the event stream and the POSTs. For tests.
 */
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const { WAIT } = require('./harness.js');

const md5 = (/** @type {string} */ s) => crypto.createHash('md5').update(s).digest('hex');

/** A browser's connection: the event stream and the POSTs, as the emulated SDK makes them. */
class Browser {
  /** @param {string} url */
  constructor(url) {
    this.url = url;
    this.connection = '';
    /** @type {{ event: string, data: any }[]} */
    this.events = [];
    /** @type {(() => void)[]} */
    this.waiters = [];
    /** @type {http.ClientRequest | null} */
    this.req = null;
    this.closed = false;
  }
  async connect() {
    await new Promise((resolve, reject) => {
      this.req = http.get(this.url + '/v1/connect', (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buf += chunk;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const ev = /^event: (.*)$/m.exec(block);
            const data = /^data: (.*)$/m.exec(block);
            if (!ev || !data) continue;
            const e = { event: ev[1], data: JSON.parse(data[1]) };
            if (e.event === 'hello') {
              this.connection = e.data.connection;
              resolve(undefined);
            }
            this.events.push(e);
            for (const w of this.waiters.splice(0)) w();
          }
        });
        res.on('close', () => {
          this.closed = true;
          for (const w of this.waiters.splice(0)) w();
        });
      });
      this.req.on('error', reject);
    });
  }
  /** @param {string} p @param {Record<string, unknown>} body @returns {Promise<{ status: number, body: any }>} */
  async post(p, body) {
    const res = await fetch(this.url + p, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(Object.assign({ connection: this.connection }, body)) });
    return { status: res.status, body: await res.json() };
  }
  /**
   * Logs in with a one-time key; sign makes the hash (default: from the password, as Tandem's
   * SignSoftphoneKey does from the digest it keeps).
   * @param {string} user @param {string} password @param {(key: string) => Promise<string>} [sign]
   */
  async logIn(user, password, sign) {
    const k = await this.post('/v1/key', { username: user + '@cc.e2e.voximplant.com' });
    assert.equal(k.body.code, 302);
    const hash = sign ? await sign(k.body.key) : md5(k.body.key + '|' + md5(user + ':voximplant.com:' + password));
    return (await this.post('/v1/login', { username: user + '@cc.e2e.voximplant.com', hash })).body;
  }
  /** @param {string} event @param {number} [within] ms */
  async next(event, within = WAIT) {
    const deadline = Date.now() + within;
    for (;;) {
      const e = this.events.find((x) => x.event === event);
      if (e) {
        this.events.splice(this.events.indexOf(e), 1);
        return e.data;
      }
      if (Date.now() > deadline) throw new Error('no ' + event + ' event');
      await new Promise((resolve) => {
        this.waiters.push(() => resolve(undefined));
        setTimeout(resolve, 200);
      });
    }
  }
  close() {
    this.req?.destroy();
  }
}


module.exports = { Browser };
