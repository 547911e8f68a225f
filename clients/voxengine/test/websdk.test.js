// @ts-check
'use strict';
/**
 * The emulated Web SDK endpoint (emulator/websdk.js) with a small scenario that calls a user:
 * one-time-key login checked against Voximplant's formula, IncomingCall with the scenario's
 * headers, answer/decline/hangup/tones driving the leg, 480 for a user not logged in, and the
 * browser told when the scenario ends the leg.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Emulator } = require('../emulator/voxengine.js');
const { WebSdk } = require('../emulator/websdk.js');
const { WAIT } = require('./harness.js');
const { Browser } = require('./browser.js');

const md5 = (/** @type {string} */ s) => crypto.createHash('md5').update(s).digest('hex');

// Calls user anna with the offer's header; logs the leg's events; hangs up on tone #.
const SCENARIO = `
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  e.call.answer();
  const leg = VoxEngine.callUser({ username: 'anna', callerid: '+15557654321', displayName: 'Jane', extraHeaders: { 'VI-CallTimeout': '30', 'X-Tandem-Offer-Id': 'of-1' } });
  for (const ev of [CallEvents.Ringing, CallEvents.Connected, CallEvents.Failed, CallEvents.Disconnected]) {
    leg.addEventListener(ev, (x) => Logger.write(ev + (x.code ? ' ' + x.code : '')));
  }
  leg.addEventListener(CallEvents.Connected, () => leg.handleTones(true));
  leg.addEventListener(CallEvents.ToneReceived, (x) => {
    Logger.write('tone ' + x.tone);
    if (x.tone === '#') leg.hangup();
  });
});`;

/** @param {import('node:test').TestContext} t */
async function world(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vox-websdk-'));
  const file = path.join(dir, 'scenario.js');
  fs.writeFileSync(file, SCENARIO);
  const sdk = await new WebSdk({ users: { anna: 'vox-pass' } }).start();
  const emu = new Emulator({ scenarios: [file], webSdk: sdk });
  await emu.start();
  t.after(async () => {
    await emu.close();
    await sdk.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { sdk, emu };
}

test('a one-time-key login is checked against Voximplant formula; the key works once', async (t) => {
  const { sdk } = await world(t);
  const b = new Browser(sdk.url);
  await b.connect();
  t.after(() => b.close());
  assert.deepEqual(await b.logIn('anna', 'wrong'), { result: false, code: 401, message: 'invalid login' });
  assert.equal(sdk.loggedIn('anna'), false);
  const k = await b.post('/v1/key', { username: 'anna@cc.e2e.voximplant.com' });
  const hash = md5(k.body.key + '|' + md5('anna:voximplant.com:vox-pass'));
  assert.equal((await b.post('/v1/login', { username: 'anna@cc.e2e.voximplant.com', hash })).body.result, true);
  assert.equal(sdk.loggedIn('anna'), true);
  // The same key and hash again: the key was used up.
  assert.equal((await b.post('/v1/login', { username: 'anna@cc.e2e.voximplant.com', hash })).body.result, false);
  assert.equal((await b.post('/v1/key', { username: 'nobody@x' })).body.code, 404);
});

test('callUser rings the logged-in browser with the scenario headers; answer connects, a tone reaches the scenario, # hangs up', async (t) => {
  const { sdk, emu } = await world(t);
  const b = new Browser(sdk.url);
  await b.connect();
  t.after(() => b.close());
  assert.equal((await b.logIn('anna', 'vox-pass')).result, true);
  const s = emu.placeCall({ callerid: '+15557654321', destination: '+15550001000' });
  const inc = await b.next('incoming');
  assert.equal(inc.headers['X-Tandem-Offer-Id'], 'of-1');
  assert.equal(inc.number, '+15557654321');
  assert.equal(inc.displayName, 'Jane');
  await s.waitFor((r) => r.type === 'log' && r.message === 'Call.Ringing', WAIT, 'ringing');
  assert.equal((await b.post('/v1/call', { callId: inc.callId, action: 'tone', tone: '5' })).status, 409); // not connected yet
  assert.equal((await b.post('/v1/call', { callId: inc.callId, action: 'answer' })).status, 200);
  await s.waitFor((r) => r.type === 'log' && r.message === 'Call.Connected', WAIT, 'connected');
  assert.ok(s.records.some((r) => r.type === 'callee' && r.did === 'answer' && r.by === 'websdk' && r.user === 'anna'));
  await s.waitFor((r) => r.type === 'handle-tones', WAIT, 'handleTones');
  assert.equal((await b.post('/v1/call', { callId: inc.callId, action: 'tone', tone: '5' })).status, 200);
  await s.waitFor((r) => r.type === 'log' && r.message === 'tone 5', WAIT, 'tone 5');
  assert.equal((await b.post('/v1/call', { callId: inc.callId, action: 'tone', tone: 'x' })).status, 400);
  await b.post('/v1/call', { callId: inc.callId, action: 'tone', tone: '#' });
  // The scenario hung up: the browser is told.
  assert.deepEqual(await b.next('ended'), { callId: inc.callId, event: 'Disconnected', code: 200, reason: 'Normal call clearing' });
  await s.waitFor((r) => r.type === 'log' && r.message === 'Call.Disconnected', WAIT, 'disconnected');
});

test('decline from the browser fails the leg with 603; hangup of a talking call disconnects it', async (t) => {
  const { sdk, emu } = await world(t);
  const b = new Browser(sdk.url);
  await b.connect();
  t.after(() => b.close());
  await b.logIn('anna', 'vox-pass');
  const s1 = emu.placeCall({});
  const inc1 = await b.next('incoming');
  await b.post('/v1/call', { callId: inc1.callId, action: 'decline' });
  await s1.waitFor((r) => r.type === 'log' && r.message === 'Call.Failed 603', WAIT, 'failed 603');
  assert.equal((await b.next('ended')).code, 603);

  const s2 = emu.placeCall({});
  const inc2 = await b.next('incoming');
  await b.post('/v1/call', { callId: inc2.callId, action: 'answer' });
  await s2.waitFor((r) => r.type === 'log' && r.message === 'Call.Connected', WAIT, 'connected');
  await b.post('/v1/call', { callId: inc2.callId, action: 'hangup' });
  await s2.waitFor((r) => r.type === 'log' && r.message === 'Call.Disconnected', WAIT, 'disconnected');
  // Another browser cannot act on his calls without logging in as him.
  const other = new Browser(sdk.url);
  await other.connect();
  t.after(() => other.close());
  assert.equal((await other.post('/v1/call', { callId: inc2.callId, action: 'answer' })).status, 404);
});

test('a user not logged in fails with 480 User Offline; a dropped connection logs him out', async (t) => {
  const { sdk, emu } = await world(t);
  const s1 = emu.placeCall({});
  await s1.waitFor((r) => r.type === 'log' && r.message === 'Call.Failed 480', WAIT, 'failed 480');
  assert.ok(!s1.records.some((r) => r.type === 'log' && r.message === 'Call.Ringing'));

  const b = new Browser(sdk.url);
  await b.connect();
  await b.logIn('anna', 'vox-pass');
  const s2 = emu.placeCall({});
  await b.next('incoming');
  sdk.dropConnections();
  await s2.waitFor((r) => r.type === 'log' && r.message === 'Call.Failed 480', WAIT, 'failed 480 after the drop');
  assert.equal(sdk.loggedIn('anna'), false);
  for (const until = Date.now() + WAIT; !b.closed && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
  assert.equal(b.closed, true, 'the browser saw its connection close');
});
