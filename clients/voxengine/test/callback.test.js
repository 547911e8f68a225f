// @ts-check
'use strict';
/**
 * The callback scenario (callback.js) end to end in the emulator, against a fake Tandem:
 * StartScenarios on the emulated Management API (JWT checked) starts a session with the token as
 * its custom data and no inbound call; the scenario registers with the token, rings the operator
 * Tandem names, then the customer, bridges them and reports every step.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const { Emulator, CALLEES, CALLBACK_SCENARIOS } = require('../emulator/voxengine.js');
const { generateServiceAccountKey, serviceAccountJwt } = require('../emulator/platform-api.js');
const { FakeTandem } = require('./fake-tandem.js');
const { scenarioConfig, TandemServer, SECRET, WAIT } = require('./harness.js');

const ACCOUNT = 4242;
const RULE = '77';
const CUSTOMER = '+15550002222';
const CENTER = '+18005550100';
const TOKEN = 'cb1.call_1.offer_1.tz00aa.c2lnbmF0dXJlLWhlcmU';

/** @typedef {import('../emulator/voxengine.js').Session} Session */

/**
 * @param {import('node:test').TestContext} t
 * @param {Record<string, import('../emulator/voxengine.js').CalleeScript>} callees
 * @param {import('./fake-tandem.js').FakeHandler} [handler]
 */
async function setup(t, callees, handler) {
  const fake = await new FakeTandem(
    handler ||
      ((r) =>
        r.path === '/v1/calls'
          ? { json: { call_id: 'call_1', queue_id: 'support', callback: { customer_number: CUSTOMER, caller_id: CENTER, operator_text: 'Calling back Ms. Smith.', customer_timeout_s: 10 } } }
          : undefined),
  ).listen();
  const key = generateServiceAccountKey(ACCOUNT, 'kid-1');
  const emu = new Emulator({
    timeScale: 10,
    secrets: { tandem_config: scenarioConfig(fake.url, { redialWaitS: 5 }) },
    callee: (/** @type {string} */ kind, /** @type {string} */ target) => callees[target],
    defaultCallee: CALLEES.noanswer(),
    platformApi: { accountId: ACCOUNT, keys: { 'kid-1': key.publicKey }, rules: { [RULE]: CALLBACK_SCENARIOS } },
  });
  await emu.start();
  t.after(async () => {
    await emu.close();
    await fake.close();
  });
  return { fake, emu, key };
}

/**
 * POSTs StartScenarios like Tandem (form-encoded, bearer JWT).
 * @param {Emulator} emu @param {string} jwt @param {Record<string, string>} form
 */
async function startScenarios(emu, jwt, form) {
  const api = /** @type {NonNullable<Emulator['platformApi']>} */ (emu.platformApi);
  const res = await fetch(api.url + 'StartScenarios', {
    method: 'POST',
    headers: { authorization: 'Bearer ' + jwt, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  assert.equal(res.status, 200);
  return /** @type {any} */ (await res.json());
}

/** @param {Emulator} emu @param {{ keyFile: string }} key */
async function started(emu, key) {
  const reply = await startScenarios(emu, serviceAccountJwt(key.keyFile), { rule_id: RULE, script_custom_data: TOKEN });
  assert.equal(reply.result, 1, JSON.stringify(reply));
  const s = [...emu.sessions.values()].find((x) => x.accessURL === reply.media_session_access_url);
  assert.ok(s, 'the reply names the new session');
  assert.equal(reply.media_session_access_secure_url, s.accessURL);
  assert.ok(reply.call_session_history_id > 0);
  return s;
}

/** @param {FakeTandem} fake @param {string} kind */
async function event(fake, kind) {
  await fake.waitUntil((rs) => rs.some((r) => r.body[kind] !== undefined), WAIT, kind);
  return fake.events(kind)[0].body;
}

/** @param {Session} s */
async function ended(s) {
  await s.waitFor((r) => r.type === 'terminated', WAIT, 'end of the session');
  assert.deepEqual(s.errors, [], s.dump(40));
}

const dialAnna = { type: 'dial', call_id: 'call_1', offer_id: 'offer_1', contact: { kind: 'user', target: 'anna' }, timeout_s: 20, caller_id: CUSTOMER };

test('callback: StartScenarios → register with the token → operator answers → customer answers → bridged → customer hangs up', async (t) => {
  const { fake, emu, key } = await setup(t, { anna: CALLEES.answer(0.5), [CUSTOMER]: CALLEES.answer(1, 3) });
  const s = await started(emu, key);
  assert.equal(s.customData, TOKEN, 'VoxEngine.customData() is script_custom_data');
  assert.equal(s.caller, null, 'no inbound call');

  await fake.waitUntil((rs) => rs.some((r) => r.path === '/v1/calls'), WAIT, 'register');
  const reg = fake.requests.find((r) => r.path === '/v1/calls');
  assert.ok(reg);
  assert.equal(reg.body.callback_token, TOKEN);
  assert.equal(reg.body.access_url, s.accessURL);
  assert.equal(reg.body.caller_number, undefined, 'no inbound caller');

  assert.deepEqual(await fake.command(s.accessURL, dialAnna), { ok: true });
  const answered = await event(fake, 'operator_answered');
  assert.equal(answered.offer_id, 'offer_1');
  const legs = () => s.legs().map((l) => [l.kind, l.target, l.callerid]);
  await s.waitFor((r) => r.type === 'dial' && r.target === CUSTOMER, WAIT, 'the customer dialed');
  assert.deepEqual(legs(), [
    ['user', 'anna', CUSTOMER],
    ['pstn', CUSTOMER, CENTER],
  ]);
  assert.ok(s.spoken().includes('Calling back Ms. Smith.'), 'the operator hears the line while the customer rings');
  const cust = await event(fake, 'customer_answered');
  assert.ok(cust.customer_answered.ring_time_ms >= 0);
  assert.equal(cust.offer_id, 'offer_1');
  const annaLeg = s.legs()[0].callId;
  const custLeg = s.legs()[1].callId;
  await s.waitFor(() => s.hearsNow(annaLeg).includes(custLeg) && s.hearsNow(custLeg).includes(annaLeg), WAIT, 'bridged');

  const end = await event(fake, 'call_ended');
  assert.equal(end.call_ended.hung_up_by, 'HANGUP_PARTY_CALLER', 'the customer hung up');
  assert.ok(end.call_ended.talk_time_ms > 0);
  await ended(s);
  const order = fake.requests.map((r) => (r.path === '/v1/calls' ? 'register' : Object.keys(r.body).find((k) => !['request_id', 'occurred_at', 'offer_id'].includes(k))));
  assert.deepEqual(order, ['register', 'operator_ringing', 'operator_answered', 'customer_ringing', 'customer_answered', 'call_ended']);
});

test('callback: the operator hangs up during the talk → call_ended by the operator', async (t) => {
  const { fake, emu, key } = await setup(t, { anna: CALLEES.answer(0.5, 4), [CUSTOMER]: CALLEES.answer(0.5) });
  const s = await started(emu, key);
  await fake.waitUntil((rs) => rs.some((r) => r.path === '/v1/calls'), WAIT, 'register');
  await fake.command(s.accessURL, dialAnna);
  await event(fake, 'customer_answered');
  const end = await event(fake, 'call_ended');
  assert.equal(end.call_ended.hung_up_by, 'HANGUP_PARTY_OPERATOR');
  await ended(s);
});

test('callback: the customer does not answer → customer_failed, the operator is told and hung up, the session ends', async (t) => {
  const { fake, emu, key } = await setup(t, { anna: CALLEES.answer(0.5), [CUSTOMER]: CALLEES.noanswer() });
  const s = await started(emu, key);
  await fake.waitUntil((rs) => rs.some((r) => r.path === '/v1/calls'), WAIT, 'register');
  await fake.command(s.accessURL, dialAnna);
  const failed = await event(fake, 'customer_failed');
  assert.equal(failed.customer_failed.code, 408);
  assert.equal(failed.offer_id, 'offer_1');
  await ended(s);
  assert.ok(s.spoken().includes('The customer did not answer. Goodbye.'));
  assert.equal(fake.events('call_ended').length, 0, 'no talk happened');
  assert.equal(fake.events('customer_answered').length, 0);
});

test('callback: the customer is busy → customer_failed 486', async (t) => {
  const { fake, emu, key } = await setup(t, { anna: CALLEES.answer(0.5), [CUSTOMER]: CALLEES.busy() });
  const s = await started(emu, key);
  await fake.waitUntil((rs) => rs.some((r) => r.path === '/v1/calls'), WAIT, 'register');
  await fake.command(s.accessURL, dialAnna);
  const failed = await event(fake, 'customer_failed');
  assert.equal(failed.customer_failed.code, 486);
  await ended(s);
});

test('callback: the operator does not answer → dial_failed 408, the customer is never called; another operator may be dialed', async (t) => {
  const { fake, emu, key } = await setup(t, { anna: CALLEES.noanswer(), boris: CALLEES.answer(0.5), [CUSTOMER]: CALLEES.answer(0.5, 1) });
  const s = await started(emu, key);
  await fake.waitUntil((rs) => rs.some((r) => r.path === '/v1/calls'), WAIT, 'register');
  await fake.command(s.accessURL, Object.assign({}, dialAnna, { timeout_s: 2 }));
  const failed = await event(fake, 'dial_failed');
  assert.equal(failed.dial_failed.code, 408);
  assert.equal(failed.offer_id, 'offer_1');
  assert.ok(!s.legs().some((l) => l.target === CUSTOMER), 'the customer was not called');
  // Tandem reserves another operator for the same callback.
  assert.deepEqual(await fake.command(s.accessURL, { type: 'dial', call_id: 'call_1', offer_id: 'offer_2', contact: { kind: 'user', target: 'boris' }, timeout_s: 20 }), { ok: true });
  await event(fake, 'customer_answered');
  assert.equal(fake.events('customer_answered')[0].body.offer_id, 'offer_2');
  await event(fake, 'call_ended');
  await ended(s);
});

test('callback: the operator does not answer and no other comes → the session ends by itself', async (t) => {
  const { fake, emu, key } = await setup(t, { anna: CALLEES.decline(0.3) });
  const s = await started(emu, key);
  await fake.waitUntil((rs) => rs.some((r) => r.path === '/v1/calls'), WAIT, 'register');
  await fake.command(s.accessURL, dialAnna);
  assert.equal((await event(fake, 'dial_failed')).dial_failed.code, 603);
  await ended(s);
  assert.ok(!s.legs().some((l) => l.target === CUSTOMER));
});

test('callback: Tandem refuses the token → the session ends without calling anyone', async (t) => {
  const { fake, emu, key } = await setup(t, {}, (r) => (r.path === '/v1/calls' ? { status: 401, json: { code: 'unauthenticated', message: 'callback_token: signature does not match' } } : undefined));
  const s = await started(emu, key);
  await ended(s);
  assert.equal(fake.requests.length, 1, 'one attempt: a refusal is not retried');
  assert.deepEqual(s.legs(), []);
});

test('StartScenarios: a bad JWT, an unknown rule or too much custom data is refused as Voximplant does; nothing starts', async (t) => {
  const { emu, key } = await setup(t, {});
  const other = generateServiceAccountKey(ACCOUNT, 'kid-1'); // same kid, another key
  const wrongAccount = generateServiceAccountKey(ACCOUNT + 1, 'kid-1');
  const now = Math.floor(Date.now() / 1000);
  /** @type {{ jwt: string, form: Record<string, string>, code: number, field?: string }[]} */
  const cases = [
    { jwt: serviceAccountJwt(other.keyFile), form: { rule_id: RULE }, code: 100 },
    { jwt: serviceAccountJwt(wrongAccount.keyFile), form: { rule_id: RULE }, code: 100 },
    { jwt: serviceAccountJwt(key.keyFile, { nowS: now - 4000 }), form: { rule_id: RULE }, code: 100 }, // expired
    { jwt: serviceAccountJwt(key.keyFile, { ttlS: 7200 }), form: { rule_id: RULE }, code: 100 }, // over an hour
    { jwt: 'not.a.jwt', form: { rule_id: RULE }, code: 100 },
    { jwt: serviceAccountJwt(key.keyFile), form: { rule_id: '78' }, code: 101, field: 'rule_id' },
    { jwt: serviceAccountJwt(key.keyFile), form: { rule_id: RULE, script_custom_data: 'x'.repeat(201) }, code: 101, field: 'script_custom_data' },
  ];
  for (const c of cases) {
    const reply = await startScenarios(emu, c.jwt, c.form);
    assert.equal(reply.error && reply.error.code, c.code, JSON.stringify(reply));
    if (c.field) assert.equal(reply.error.field_name, c.field);
  }
  assert.equal(emu.sessions.size, 0);
});

test('interop: Tandem\'s Go client starts the callback in the emulator; the real Tandem checks callback_token and refuses a callback it has not started', async (t) => {
  const tandem = await TandemServer.start();
  t.after(() => tandem.stop());
  const key = generateServiceAccountKey(ACCOUNT, 'kid-go');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-callback-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const keyFile = path.join(dir, 'voximplant-key.json');
  fs.writeFileSync(keyFile, key.keyFile, { mode: 0o600 });
  const emu = new Emulator({
    timeScale: 10,
    secrets: { tandem_config: scenarioConfig(tandem.url) },
    platformApi: { accountId: ACCOUNT, keys: { 'kid-go': key.publicKey }, rules: { [RULE]: CALLBACK_SCENARIOS } },
  });
  await emu.start();
  t.after(() => emu.close());
  const api = /** @type {NonNullable<Emulator['platformApi']>} */ (emu.platformApi);
  /** @type {Promise<Session>} */
  const sessionStarted = new Promise((resolve) => emu.once('started-scenarios', (/** @type {any} */ ev) => resolve(ev.session)));
  // The Go side: cloud.VoximplantDialer over voximplant.Client, as tandem serve wires it.
  const { stdout } = await promisify(execFile)('go', ['test', '-count=1', '-v', '-run', '^TestStartCallbackInEmulator$', './server/internal/cloud/'], {
    cwd: path.resolve(__dirname, '..', '..', '..'),
    env: Object.assign({}, process.env, { TANDEM_INTEROP_VOXIMPLANT_API: api.url, TANDEM_INTEROP_KEY_FILE: keyFile, TANDEM_INTEROP_SECRET: SECRET, TANDEM_INTEROP_RULE: RULE }),
  });
  const s = await sessionStarted;
  assert.match(stdout, new RegExp('STARTED ' + s.accessURL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.match(s.customData, /^cb1\.call_interop_1\.offer_interop_1\./, 'the custom data is the callback token');
  const intake = await s.waitFor((r) => r.type === 'http-out' && r.url.endsWith('/v1/calls'), WAIT, 'the register');
  assert.equal(JSON.parse(intake.body).callback_token, s.customData);
  // The token is good (the same secret) but names a call Tandem is not calling back: refused,
  // naming the field; the scenario ends.
  assert.ok(intake.code >= 400 && intake.code < 500, `status ${intake.code}`);
  assert.match(String(intake.text), /callback_token/);
  assert.match(String(intake.text), /no callback call_interop_1 in progress/);
  await ended(s);
  assert.deepEqual(s.legs(), []);
});

test('StartScenarios: a session that places no call ends by itself after 60 s, as VoxEngine says', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-idle-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'idle.js');
  fs.writeFileSync(file, "VoxEngine.addEventListener(AppEvents.Started, () => Logger.write('custom data ' + VoxEngine.customData()));\n");
  const key = generateServiceAccountKey(ACCOUNT, 'kid-1');
  const emu = new Emulator({ timeScale: 100, platformApi: { accountId: ACCOUNT, keys: { 'kid-1': key.publicKey }, rules: { '5': [file] } } });
  await emu.start();
  t.after(() => emu.close());
  const reply = await startScenarios(emu, serviceAccountJwt(key.keyFile), { rule_id: '5', script_custom_data: 'hello' });
  const s = /** @type {Session} */ ([...emu.sessions.values()].find((x) => x.accessURL === reply.media_session_access_url));
  await s.waitFor((r) => r.type === 'auto-terminate', WAIT, 'the idle end');
  await ended(s);
  assert.deepEqual(s.logs(), ['custom data hello']);
  assert.ok(!s.records.some((r) => r.type === 'event' && r.event === 'Application.CallAlerting'), 'no CallAlerting');
});
