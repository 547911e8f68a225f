// @ts-check
'use strict';
/**
 * The part of Voximplant's Management API ("platform API") Tandem uses, served by the emulator
 * on its accessURL server: POST /platform_api/StartScenarios with rule_id and
 * script_custom_data (application/x-www-form-urlencoded, a query string, or JSON), authorized by
 * a service account's JWT (Authorization: Bearer; RS256, header kid = key_id, iss = account_id,
 * iat, exp at most iat + 3600 s). A rule id maps to a scenario file; the new session runs it with
 * VoxEngine.customData() = script_custom_data and no inbound call, and the reply carries its
 * media_session_access_url / _secure_url and call_session_history_id, as Voximplant's does.
 *
 * Errors come as Voximplant sends them: HTTP 200 with {"error": {"code", "msg", "field_name"?}}
 * (100 authorization failed, 101 invalid arguments). GUESS: Voximplant's exact code for an
 * unknown rule is not documented where we looked; 101 naming rule_id is used.
 * Not emulated: multipart/form-data bodies, rule names instead of ids, user_id, reference_ip.
 */
const crypto = require('node:crypto');
const vm = require('node:vm');
const { compileScenarios } = require('./voxengine.js');

const PREFIX = '/platform_api/';

/**
 * @typedef {Object} PlatformApiOptions
 * @property {number} accountId             the account whose service accounts may call
 * @property {Record<string, crypto.KeyLike>} keys key_id → the public half of its key (PEM or KeyObject)
 * @property {Record<string, string[]>} rules rule id → the scenario files the rule runs, in order (e.g. CALLBACK_SCENARIOS)
 * @property {number} [maxSkewS]            how far iat may be in the future (default 60)
 */

/**
 * A service account key file as Voximplant issues it, with its public half, for tests and the
 * demo.
 * @param {number} accountId @param {string} [keyId]
 * @returns {{ keyFile: string, keyId: string, publicKey: crypto.KeyObject }}
 */
function generateServiceAccountKey(accountId, keyId = crypto.randomUUID()) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyFile = JSON.stringify({ result: { account_id: accountId, account_email: 'demo@example.com', key_id: keyId, private_key: pem } }, null, 2);
  return { keyFile, keyId, publicKey };
}

/**
 * A service account's JWT made from its key file, as Tandem makes it (for tests and scripts
 * that call the emulated API directly).
 * @param {string} keyFile the key file's JSON @param {{ nowS?: number, ttlS?: number }} [o]
 */
function serviceAccountJwt(keyFile, o = {}) {
  const parsed = JSON.parse(keyFile);
  const k = parsed.result || parsed;
  const now = o.nowS ?? Math.floor(Date.now() / 1000);
  /** @param {object} v */
  const part = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const signing = `${part({ alg: 'RS256', typ: 'JWT', kid: k.key_id })}.${part({ iss: k.account_id, iat: now, exp: now + (o.ttlS ?? 600) })}`;
  return `${signing}.${crypto.sign('sha256', Buffer.from(signing), k.private_key).toString('base64url')}`;
}

/** @param {string} s */
const b64url = (s) => Buffer.from(s, 'base64url');

class PlatformApi {
  /** @param {import('./voxengine.js').Emulator} emu @param {PlatformApiOptions} opts */
  constructor(emu, opts) {
    this.emu = emu;
    this.opts = opts;
    /** @type {Map<string, vm.Script[]>} */
    this.scripts = new Map();
    for (const [rule, files] of Object.entries(opts.rules)) this.scripts.set(String(rule), compileScenarios(files));
    /** @type {Map<string, crypto.KeyObject>} */
    this.keys = new Map(Object.entries(opts.keys).map(([kid, k]) => [kid, k instanceof crypto.KeyObject ? k : crypto.createPublicKey(k)]));
    /** @type {{ t: number, method: string, rule: string, customData: string, session?: import('./voxengine.js').Session, error?: string }[]} */
    this.requests = [];
    this.nextHistoryId = 5000;
  }

  /** The API's base URL, for tandem serve --voximplant-api-url. */
  get url() {
    return this.emu.baseUrl + PREFIX;
  }

  /** @param {string} path */
  handles(path) {
    return path.startsWith(PREFIX);
  }

  /**
   * @param {import('node:http').IncomingMessage} req @param {string} body
   * @param {import('node:http').ServerResponse} res
   */
  serve(req, body, res) {
    const u = new URL(req.url || '/', 'http://x');
    const method = u.pathname.slice(PREFIX.length);
    /** @param {number} status @param {object} json */
    const reply = (status, json) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    /** @param {number} code @param {string} msg @param {string} [field] */
    const fail = (code, msg, field) => {
      this.requests.push({ t: Date.now(), method, rule: params.rule_id || '', customData: params.script_custom_data || '', error: msg });
      reply(200, { error: Object.assign({ code, msg }, field ? { field_name: field } : {}) });
    };
    /** @type {Record<string, string>} */
    const params = Object.fromEntries(u.searchParams);
    const type = String(req.headers['content-type'] || '').split(';')[0].trim();
    if (body && type === 'application/json') {
      try {
        for (const [k, v] of Object.entries(JSON.parse(body))) params[k] = String(v);
      } catch {
        fail(101, 'Invalid arguments: the body is not JSON');
        return;
      }
    } else if (body) {
      for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    }
    if (method !== 'StartScenarios') {
      fail(103, `Unknown command ${method}`);
      return;
    }
    if (req.method !== 'POST' && req.method !== 'GET') {
      reply(405, { error: { code: 102, msg: 'use POST' } });
      return;
    }
    const auth = this._authorize(String(req.headers.authorization || ''));
    if (auth) {
      fail(100, `Authorization failed: ${auth}`);
      return;
    }
    const rule = params.rule_id || '';
    if (!/^[0-9]+$/.test(rule)) {
      fail(101, 'Invalid arguments: rule_id must be a number', 'rule_id');
      return;
    }
    const scripts = this.scripts.get(rule);
    if (!scripts) {
      fail(101, `Invalid arguments: no rule ${rule}`, 'rule_id');
      return;
    }
    const customData = params.script_custom_data || '';
    if (Buffer.byteLength(customData) > 200) {
      fail(101, 'Invalid arguments: script_custom_data is over 200 bytes', 'script_custom_data');
      return;
    }
    const session = this.emu.placeCall({ scripts, sessionCustomData: customData, noInboundCall: true });
    const historyId = this.nextHistoryId++;
    this.requests.push({ t: Date.now(), method, rule, customData, session });
    this.emu.emit('started-scenarios', { rule, customData, session });
    reply(200, { result: 1, media_session_access_url: session.accessURL, media_session_access_secure_url: session.accessURL, call_session_history_id: historyId });
  }

  /**
   * Checks a bearer JWT; returns what is wrong with it, or '' when it is good.
   * @param {string} header
   */
  _authorize(header) {
    const m = /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(header.trim());
    if (!m) return 'no bearer JWT';
    /** @type {any} */
    let head;
    /** @type {any} */
    let claims;
    try {
      head = JSON.parse(b64url(m[1]).toString('utf8'));
      claims = JSON.parse(b64url(m[2]).toString('utf8'));
    } catch {
      return 'the JWT is not JSON';
    }
    if (head.alg !== 'RS256') return `alg ${head.alg}, want RS256`;
    const key = this.keys.get(String(head.kid));
    if (!key) return `unknown kid ${head.kid}`;
    if (!crypto.verify('sha256', Buffer.from(`${m[1]}.${m[2]}`), key, b64url(m[3]))) return 'bad signature';
    const now = Date.now() / 1000;
    if (Number(claims.iss) !== this.opts.accountId) return `iss ${claims.iss} is not account ${this.opts.accountId}`;
    if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number') return 'iat and exp are required';
    if (claims.exp - claims.iat > 3600) return 'exp is more than an hour after iat';
    if (claims.exp <= now) return 'expired';
    if (claims.iat > now + (this.opts.maxSkewS ?? 60)) return 'iat is in the future';
    return '';
  }
}

module.exports = { PlatformApi, generateServiceAccountKey, serviceAccountJwt };
