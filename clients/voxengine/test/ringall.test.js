// @ts-check
'use strict';
/**
 * Ring-all in the scenario, against the programmable fake Tandem: dials with ring_all ring side
 * by side; the first leg to connect is bridged and reported, the others are hung up at once and
 * not reported; a leg that fails or times out before that is reported as usual; the caller
 * leaving, a hangup or a plain dial end every leg still ringing. Fast: no real server, and the
 * emulator's time runs 10× faster.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { Emulator, CALLEES } = require('../emulator/voxengine.js');
const { FakeTandem } = require('./fake-tandem.js');
const { scenarioConfig, WAIT } = require('./harness.js');

/** @typedef {import('../emulator/voxengine.js').Session} Session */
/** @typedef {import('../emulator/voxengine.js').CalleeScript} CalleeScript */

/**
 * @param {import('node:test').TestContext} t
 * @param {Record<string, CalleeScript>} callees
 * @param {import('./fake-tandem.js').FakeHandler} [handler]
 * @param {import('../emulator/voxengine.js').EmulatorOptions} [options]
 */
async function setup(t, callees, handler, options = {}) {
  const fake = await new FakeTandem(handler).listen();
  const emu = new Emulator({
    timeScale: 10,
    secrets: { tandem_config: scenarioConfig(fake.url) },
    callee: (kind, target) => callees[target],
    defaultCallee: CALLEES.noanswer(),
    ...options,
  });
  await emu.start();
  t.after(async () => {
    await emu.close();
    await fake.close();
  });
  const s = emu.placeCall();
  await fake.waitUntil((rs) => rs.some((r) => r.path === '/v1/calls'), WAIT, 'intake');
  return { fake, s };
}

/**
 * Sends a dial for one leg of a ring (ring_all) or, with ringAll false, a plain dial.
 * @param {FakeTandem} fake @param {Session} s @param {string} offer @param {string} target
 * @param {{ ringAll?: boolean, timeoutS?: number }} [o]
 */
function dial(fake, s, offer, target, o = {}) {
  /** @type {Record<string, unknown>} */
  const cmd = { type: 'dial', call_id: 'fake-call-1', offer_id: offer, contact: { kind: 'user', target }, timeout_s: o.timeoutS || 20 };
  if (o.ringAll !== false) cmd.ring_all = true;
  return fake.command(s.accessURL, cmd);
}

/** The kinds of events reported, with their offers: "operator_answered o2". @param {FakeTandem} fake */
function reported(fake) {
  return fake.requests
    .filter((r) => r.path !== '/v1/calls')
    .map((r) => Object.keys(r.body).find((k) => !['request_id', 'occurred_at', 'offer_id'].includes(k)) + (r.body.offer_id ? ' ' + r.body.offer_id : ''));
}

/** @param {FakeTandem} fake @param {string} kind @param {number} n */
function events(fake, kind, n) {
  return fake.waitUntil(() => fake.events(kind).length >= n, WAIT, `${n} × ${kind}`).then(() => fake.events(kind).map((r) => r.body));
}

/** Waits until the phone of each of these offers rang (reported operator_ringing). @param {FakeTandem} fake @param {string[]} offers */
function ringing(fake, offers) {
  return fake.waitUntil(() => offers.every((o) => fake.events('operator_ringing').some((r) => r.body.offer_id === o)), WAIT, `ringing of ${offers.join(', ')}`);
}

/** The emulator's call id of the last leg dialed to target. @param {Session} s @param {string} target */
function legOf(s, target) {
  const d = s.legs().filter((l) => l.target === target).at(-1);
  assert.ok(d, `no leg to ${target}`);
  return String(d.callId);
}

/**
 * Waits until the scenario hung up the leg to target while it rang: it ends with Failed 487,
 * which the scenario hears unless it ended the session first (VoxEngine delivers nothing
 * after terminate()).
 * @param {Session} s @param {string} target
 */
async function hungUpRinging(s, target) {
  const id = legOf(s, target);
  const h = await s.waitFor((r) => r.type === 'hangup' && r.callId === id, WAIT, `${target}'s leg hung up`);
  assert.equal(h.by, 'scenario');
  assert.equal(h.wasState, 'PROGRESSING', `${target}'s phone was still ringing`);
  const end = await s.waitFor((r) => (r.type === 'call-event' && r.callId === id && r.event === 'Call.Failed') || r.type === 'terminate', WAIT, `${target}'s leg failing`);
  if (end.type === 'call-event') assert.equal(end.code, 487);
}

/** The emulated phone (outbound call) ringing target, to answer by hand. @param {Session} s @param {string} target */
function phone(s, target) {
  const call = [...s.calls].find((c) => c.number() === target);
  assert.ok(call, `no call to ${target}`);
  return call;
}

/** @param {Session} s */
async function ended(s) {
  await s.waitFor((r) => r.type === 'terminated', WAIT, 'end of the session');
  assert.deepEqual(s.errors, [], s.dump(40));
}

test('three legs ring at once; the first to answer is bridged and reported; the others are hung up at once, unreported; their cancels are no-ops', async (t) => {
  const { fake, s } = await setup(t, {});
  for (const [offer, target] of [['o1', 'anna'], ['o2', 'boris'], ['o3', 'vera']]) assert.deepEqual(await dial(fake, s, offer, target), { ok: true });
  assert.deepEqual(
    s.legs().map((l) => [l.target, l.headers['X-Tandem-Offer-Id']]),
    [['anna', 'o1'], ['boris', 'o2'], ['vera', 'o3']],
    'three legs, one per offer',
  );
  await ringing(fake, ['o1', 'o2', 'o3']); // every phone rings
  phone(s, 'boris').remoteAnswer();
  const [answered] = await events(fake, 'operator_answered', 1);
  assert.equal(answered.offer_id, 'o2');
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'boris', WAIT, 'the caller hears boris');
  await hungUpRinging(s, 'anna');
  await hungUpRinging(s, 'vera');
  // Tandem cancels the ring's other offers when it gets the answer: nothing left to stop.
  assert.deepEqual(await fake.command(s.accessURL, { type: 'cancel', call_id: 'fake-call-1', offer_id: 'o1', reason: 'another operator answered' }), { ok: true });
  assert.deepEqual(await fake.command(s.accessURL, { type: 'cancel', call_id: 'fake-call-1', offer_id: 'o3', reason: 'another operator answered' }), { ok: true });
  assert.deepEqual(await fake.command(s.accessURL, { type: 'cancel', call_id: 'fake-call-1', offer_id: 'o2' }), { ok: false, error: 'already answered' });
  // A dial delivered again for a leg of the ring places nothing.
  assert.deepEqual(await dial(fake, s, 'o1', 'anna'), { ok: true });
  assert.equal(s.legs().length, 3);
  // Hold works on the winner: he is the call's operator leg.
  assert.deepEqual(await fake.command(s.accessURL, { type: 'hold', call_id: 'fake-call-1' }), { ok: true });
  assert.deepEqual(await fake.command(s.accessURL, { type: 'resume', call_id: 'fake-call-1' }), { ok: true });
  s.callerHangup();
  await events(fake, 'call_ended', 1);
  await ended(s);
  assert.ok(!s.records.some((r) => r.type === 'callee' && r.did === 'answer' && r.target === 'anna'), 'anna never got the call');
  assert.deepEqual(reported(fake).filter((k) => !k.startsWith('operator_ringing')), ['operator_answered o2', 'call_ended o2']);
});

test('a leg that fails before the answer is reported; a leg that connects just after the winner is hung up, unreported', async (t) => {
  const { fake, s } = await setup(t, { busy: CALLEES.busy(0.2), anna: CALLEES.noanswer(), boris: CALLEES.noanswer() });
  await dial(fake, s, 'o1', 'busy');
  await dial(fake, s, 'o2', 'anna');
  await dial(fake, s, 'o3', 'boris');
  const [failed] = await events(fake, 'dial_failed', 1);
  assert.equal(failed.offer_id, 'o1');
  assert.equal(failed.dial_failed.code, 486);
  await ringing(fake, ['o2', 'o3']);
  // Boris and anna answer in one instant: boris's Connected reaches the scenario first.
  phone(s, 'boris').remoteAnswer();
  phone(s, 'anna').remoteAnswer();
  const [answered] = await events(fake, 'operator_answered', 1);
  assert.equal(answered.offer_id, 'o3');
  const annaLeg = legOf(s, 'anna');
  const h = await s.waitFor((r) => r.type === 'hangup' && r.callId === annaLeg, WAIT, 'anna\'s leg hung up');
  assert.equal(h.by, 'scenario');
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'boris', WAIT, 'the caller hears boris');
  assert.ok(!s.records.some((r) => r.type === 'leg-heard' && r.callId === annaLeg && r.what === 'call'), 'anna never hears the caller');
  s.callerHangup();
  await events(fake, 'call_ended', 1);
  await ended(s);
  assert.deepEqual(reported(fake).filter((k) => !k.startsWith('operator_ringing')), ['dial_failed o1', 'operator_answered o3', 'call_ended o3']);
});

test('nobody answers: each leg\'s ring timeout is reported as 408, the caller waits on; the next ring is answered', async (t) => {
  const { fake, s } = await setup(t, {});
  const music = await s.waitFor((r) => r.type === 'heard' && r.what === 'music', WAIT, 'the music');
  await dial(fake, s, 'o1', 'anna', { timeoutS: 2 });
  await dial(fake, s, 'o2', 'boris', { timeoutS: 2 });
  await dial(fake, s, 'o3', 'vera', { timeoutS: 2 });
  const failed = await events(fake, 'dial_failed', 3);
  assert.deepEqual(failed.map((b) => [b.offer_id, b.dial_failed.code]).sort(), [['o1', 408], ['o2', 408], ['o3', 408]]);
  for (const target of ['anna', 'boris', 'vera']) await hungUpRinging(s, target);
  assert.ok(!s.records.some((r) => r.type === 'hangup' && r.callId === (s.caller && s.caller.id())), 'the caller is still there');
  assert.ok(!s.records.some((r) => r.type === 'heard' && r.t > music.t && r.what !== 'music'), 'he heard only the music');
  await dial(fake, s, 'o4', 'gleb');
  await dial(fake, s, 'o5', 'vera');
  await ringing(fake, ['o4', 'o5']);
  phone(s, 'gleb').remoteAnswer();
  const [answered] = await events(fake, 'operator_answered', 1);
  assert.equal(answered.offer_id, 'o4');
  await hungUpRinging(s, 'vera');
  s.callerHangup();
  await events(fake, 'call_ended', 1);
  await ended(s);
  assert.equal(fake.events('dial_failed').length, 3, 'vera\'s second leg, lost to gleb, is not reported');
});

test('the caller hangs up while the ring is out: every leg is hung up, caller_abandoned is reported once, no dial_failed', async (t) => {
  const { fake, s } = await setup(t, {});
  await dial(fake, s, 'o1', 'anna');
  await dial(fake, s, 'o2', 'boris');
  await dial(fake, s, 'o3', 'vera');
  await ringing(fake, ['o1', 'o2', 'o3']);
  s.callerHangup();
  const [abandoned] = await events(fake, 'caller_abandoned', 1);
  assert.ok(['o1', 'o2', 'o3'].includes(abandoned.offer_id), JSON.stringify(abandoned));
  for (const target of ['anna', 'boris', 'vera']) await hungUpRinging(s, target);
  await ended(s);
  assert.equal(fake.events('caller_abandoned').length, 1);
  assert.deepEqual(fake.events('dial_failed'), []);
});

test('cancel stops one leg of a ring; a plain dial stops every leg still ringing; neither is reported', async (t) => {
  const { fake, s } = await setup(t, { anna: CALLEES.answer(0.3) });
  await dial(fake, s, 'o1', 'r1');
  await dial(fake, s, 'o2', 'r2');
  await ringing(fake, ['o1', 'o2']);
  assert.deepEqual(await fake.command(s.accessURL, { type: 'cancel', call_id: 'fake-call-1', offer_id: 'o1', reason: 'offer expired' }), { ok: true });
  await hungUpRinging(s, 'r1');
  assert.equal([...s.calls].find((c) => c.number() === 'r2')?.state(), 'PROGRESSING', 'r2 still rings');
  await dial(fake, s, 'o3', 'r3');
  await ringing(fake, ['o3']);
  assert.deepEqual(await dial(fake, s, 'o4', 'anna', { ringAll: false }), { ok: true });
  await hungUpRinging(s, 'r2');
  await hungUpRinging(s, 'r3');
  const [answered] = await events(fake, 'operator_answered', 1);
  assert.equal(answered.offer_id, 'o4');
  s.callerHangup();
  await events(fake, 'call_ended', 1);
  await ended(s);
  assert.deepEqual(fake.events('dial_failed'), []);
});

test('a hangup command while the ring is out ends every leg and the call', async (t) => {
  const { fake, s } = await setup(t, {});
  await dial(fake, s, 'o1', 'anna');
  await dial(fake, s, 'o2', 'boris');
  await ringing(fake, ['o1', 'o2']);
  assert.deepEqual(await fake.command(s.accessURL, { type: 'hangup', call_id: 'fake-call-1', text: 'We are closing now.' }), { ok: true });
  await hungUpRinging(s, 'anna');
  await hungUpRinging(s, 'boris');
  await ended(s);
  assert.deepEqual(fake.events('dial_failed'), []);
  assert.deepEqual(fake.events('operator_answered'), []);
});

test('a recording queue: the winner answers during the notice; the caller hears it to its end, then him, recorded; the others are hung up at once', async (t) => {
  const notice = 'This call may be recorded for quality and training. '.repeat(4);
  // TTS at 10 characters a second: the notice lasts 21 emulated seconds, the dials and the answer
  // come well within it.
  const { fake, s } = await setup(
    t,
    {},
    (r) => (r.path === '/v1/calls' ? { json: { call_id: 'fake-call-1', queue_id: 'sales', position: 1, record: true, recording_notice: notice } } : undefined),
    { ttsCharsPerS: 10 },
  );
  const said = await s.waitFor((r) => r.type === 'say' && r.text === notice, WAIT, 'the notice');
  await dial(fake, s, 'o1', 'anna');
  await dial(fake, s, 'o2', 'boris');
  await ringing(fake, ['o1', 'o2']);
  phone(s, 'anna').remoteAnswer();
  const [answered] = await events(fake, 'operator_answered', 1);
  assert.equal(answered.offer_id, 'o1', 'the answer is reported at once');
  await hungUpRinging(s, 'boris');
  const started = (await events(fake, 'recording_started', 1))[0];
  const heard = s.records.filter((r) => r.type === 'heard' && r.t >= said.t).map((r) => r.what);
  assert.deepEqual(heard.slice(0, 3), ['speech', 'silence', 'call'], 'the whole notice, then anna');
  const rec = s.records.filter((r) => r.type === 'record');
  assert.equal(rec.length, 1, 'recorded once');
  assert.equal(started.recording_started.url, rec[0].url);
  s.callerHangup();
  await events(fake, 'call_ended', 1);
  await ended(s);
  assert.deepEqual(fake.events('dial_failed'), []);
});
