// @ts-check
'use strict';
/**
 * Conference and monitoring against a fake Tandem: add_party dials a leg and mixes it in by its
 * mode once it answers; party_mode switches the mixing without a new dial; drop_party hangs the
 * leg up; who hears whom is read from the emulator's media model (Session.hearsNow).
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { Emulator, CALLEES } = require('../emulator/voxengine.js');
const { FakeTandem } = require('./fake-tandem.js');
const { scenarioConfig, WAIT } = require('./harness.js');

/** @typedef {import('../emulator/voxengine.js').Session} Session */

/** @param {import('node:test').TestContext} t @param {Record<string, import('../emulator/voxengine.js').CalleeScript>} callees */
async function setup(t, callees) {
  const fake = await new FakeTandem().listen();
  const emu = new Emulator({
    timeScale: 10,
    secrets: { tandem_config: scenarioConfig(fake.url) },
    callee: (/** @type {string} */ kind, /** @type {string} */ target) => callees[target],
    defaultCallee: CALLEES.answer(0.5),
  });
  await emu.start();
  t.after(async () => {
    await emu.close();
    await fake.close();
  });
  return { fake, emu };
}

/** @param {FakeTandem} fake @param {string} kind @param {(body: any) => boolean} [match] */
async function event(fake, kind, match = () => true) {
  await fake.waitUntil((rs) => rs.some((r) => r.body[kind] !== undefined && match(r.body[kind])), WAIT, kind);
  return /** @type {any} */ (fake.events(kind).find((r) => match(r.body[kind]))).body[kind];
}

/**
 * A caller talking to anna; returns the session and the leg ids of caller and anna.
 * @param {import('node:test').TestContext} t @param {Record<string, import('../emulator/voxengine.js').CalleeScript>} callees
 */
async function talking(t, callees) {
  const { fake, emu } = await setup(t, Object.assign({ anna: CALLEES.answer(0.2) }, callees));
  const s = emu.placeCall();
  await fake.waitUntil((rs) => rs.some((r) => r.path === '/v1/calls'), WAIT, 'intake');
  await fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: 'o1', contact: { kind: 'user', target: 'anna' }, timeout_s: 20 });
  await event(fake, 'operator_answered');
  const anna = s.legs()[0].callId;
  const caller = /** @type {NonNullable<Session['caller']>} */ (s.caller).id();
  return { fake, s, caller: String(caller), anna: String(anna) };
}

/** The leg dialed for a target. @param {Session} s @param {string} target */
function legOf(s, target) {
  const l = s.legs().find((r) => r.target === target);
  assert.ok(l, `${target} was dialed`);
  return String(l.callId);
}

/** @param {...string} ids */
const sorted = (...ids) => ids.slice().sort();

test('add_party: a contact joins in conference and all hear all; his hangup is reported and caller and operator hear each other again', async (t) => {
  const { fake, s, caller, anna } = await talking(t, { '+14155550177': CALLEES.answer(0.3) });
  assert.deepEqual(
    await fake.command(s.accessURL, { type: 'add_party', call_id: 'fake-call-1', party_id: 'p1', mode: 'conference', contact: { kind: 'pstn', target: '+14155550177' }, timeout_s: 20, caller_id: '+15550100' }),
    { ok: true },
  );
  const joined = await event(fake, 'party_joined');
  assert.equal(joined.party_id, 'p1');
  const guest = legOf(s, '+14155550177');
  assert.deepEqual(s.hearsNow(caller), sorted(anna, guest));
  assert.deepEqual(s.hearsNow(anna), sorted(caller, guest));
  assert.deepEqual(s.hearsNow(guest), sorted(caller, anna));
  assert.ok(s.records.some((r) => r.type === 'conference'), 'a voice conference mixes the streams');
  assert.ok(!s.records.some((r) => r.type === 'warning' && /Conference/.test(String(r.message))), s.dump(40));

  // A duplicate add_party changes nothing.
  assert.deepEqual(await fake.command(s.accessURL, { type: 'add_party', call_id: 'fake-call-1', party_id: 'p1', mode: 'conference', contact: { kind: 'pstn', target: '+14155550177' } }), { ok: true });
  assert.equal(s.legs().length, 2);

  // Hold with a third party: the caller hears music and nobody hears him; anna and the guest
  // still hear each other. Resume mixes him back in.
  assert.deepEqual(await fake.command(s.accessURL, { type: 'hold', call_id: 'fake-call-1' }), { ok: true });
  assert.deepEqual(s.hearsNow(caller), []);
  assert.deepEqual(s.hearsNow(anna), [guest]);
  assert.deepEqual(s.hearsNow(guest), [anna]);
  assert.deepEqual(await fake.command(s.accessURL, { type: 'resume', call_id: 'fake-call-1' }), { ok: true });
  assert.deepEqual(s.hearsNow(caller), sorted(anna, guest));
  assert.deepEqual(s.hearsNow(guest), sorted(caller, anna));

  const guestCall = [...s.calls].find((c) => c.id() === guest);
  assert.ok(guestCall);
  guestCall.remoteHangup();
  assert.equal((await event(fake, 'party_left')).party_id, 'p1');
  assert.deepEqual(s.hearsNow(caller), [anna]);
  assert.deepEqual(s.hearsNow(anna), [caller]);
  s.callerHangup();
  await event(fake, 'call_ended');
  assert.deepEqual(s.errors, [], s.dump(40));
});

test('monitor: listen — nobody hears the supervisor; whisper — only the operator; barge — all; switching redials nobody; drop_party hangs him up', async (t) => {
  const { fake, s, caller, anna } = await talking(t, { 'sip:olga@pbx.example': CALLEES.answer(0.3) });
  assert.deepEqual(
    await fake.command(s.accessURL, { type: 'add_party', call_id: 'fake-call-1', party_id: 'm1', mode: 'listen', contact: { kind: 'sip', target: 'sip:olga@pbx.example' }, timeout_s: 30 }),
    { ok: true },
  );
  await event(fake, 'party_joined');
  const olga = legOf(s, 'sip:olga@pbx.example');
  const listen = () => {
    assert.deepEqual(s.hearsNow(olga), sorted(caller, anna), 'the supervisor hears both');
    assert.deepEqual(s.hearsNow(caller), [anna], 'the caller does not hear him');
    assert.deepEqual(s.hearsNow(anna), [caller], 'the operator does not hear him');
  };
  listen();

  assert.deepEqual(await fake.command(s.accessURL, { type: 'party_mode', call_id: 'fake-call-1', party_id: 'm1', mode: 'whisper' }), { ok: true });
  assert.deepEqual(s.hearsNow(olga), sorted(caller, anna));
  assert.deepEqual(s.hearsNow(caller), [anna], 'the caller does not hear a whisper');
  assert.deepEqual(s.hearsNow(anna), sorted(caller, olga), 'the operator hears the whisper');

  assert.deepEqual(await fake.command(s.accessURL, { type: 'party_mode', call_id: 'fake-call-1', party_id: 'm1', mode: 'barge' }), { ok: true });
  assert.deepEqual(s.hearsNow(olga), sorted(caller, anna));
  assert.deepEqual(s.hearsNow(caller), sorted(anna, olga));
  assert.deepEqual(s.hearsNow(anna), sorted(caller, olga));

  assert.deepEqual(await fake.command(s.accessURL, { type: 'party_mode', call_id: 'fake-call-1', party_id: 'm1', mode: 'listen' }), { ok: true });
  listen();
  assert.equal(s.legs().length, 2, 'switching modes dialed nobody');
  assert.deepEqual(await fake.command(s.accessURL, { type: 'party_mode', call_id: 'fake-call-1', party_id: 'm1', mode: 'shout' }), { ok: false, error: 'party_mode: unknown mode shout' });
  assert.deepEqual(await fake.command(s.accessURL, { type: 'party_mode', call_id: 'fake-call-1', party_id: 'nobody', mode: 'listen' }), { ok: false, error: 'party_mode: no party nobody on the call' });

  assert.deepEqual(await fake.command(s.accessURL, { type: 'drop_party', call_id: 'fake-call-1', party_id: 'm1', reason: 'monitoring stopped' }), { ok: true });
  await s.waitFor((r) => r.type === 'call-event' && r.callId === olga && r.event === 'Call.Disconnected', WAIT, 'the supervisor hung up');
  assert.deepEqual(s.hearsNow(caller), [anna]);
  assert.deepEqual(s.hearsNow(anna), [caller]);
  assert.deepEqual(fake.events('party_left'), [], 'a dropped leg is not reported: Tandem knows');
  s.callerHangup();
  await event(fake, 'call_ended');
  assert.deepEqual(s.errors, [], s.dump(40));
});

test('add_party refusals and failures: no talk, bad mode, a busy contact reported as party_failed; the call goes on', async (t) => {
  const { fake, emu } = await setup(t, { anna: CALLEES.answer(0.2), '+14155550188': CALLEES.busy(0.2) });
  const s = emu.placeCall();
  await fake.waitUntil((rs) => rs.some((r) => r.path === '/v1/calls'), WAIT, 'intake');
  const add = { type: 'add_party', call_id: 'fake-call-1', party_id: 'p1', mode: 'conference', contact: { kind: 'pstn', target: '+14155550188' } };
  assert.deepEqual(await fake.command(s.accessURL, add), { ok: false, error: 'add_party: no operator is talking to the caller' });
  await fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: 'o1', contact: { kind: 'user', target: 'anna' }, timeout_s: 20 });
  await event(fake, 'operator_answered');
  assert.deepEqual(await fake.command(s.accessURL, Object.assign({}, add, { mode: 'karaoke' })), { ok: false, error: 'add_party: unknown mode karaoke' });
  assert.deepEqual(await fake.command(s.accessURL, Object.assign({}, add, { contact: { kind: 'fax', target: 'x' } })), { ok: false, error: 'add_party: Error: unknown contact kind fax' });
  assert.deepEqual(await fake.command(s.accessURL, add), { ok: true });
  const failed = await event(fake, 'party_failed');
  assert.equal(failed.party_id, 'p1');
  assert.equal(failed.code, 486);
  const anna = String(s.legs()[0].callId);
  assert.deepEqual(s.hearsNow(String(/** @type {any} */ (s.caller).id())), [anna], 'the caller still talks to anna');
  s.callerHangup();
  await event(fake, 'call_ended');
  assert.deepEqual(s.errors, [], s.dump(40));
});

test('the party legs end with the talk: the operator hangs up and the guest is hung up too', async (t) => {
  const { fake, s } = await talking(t, { '+14155550177': CALLEES.answer(0.3) });
  await fake.command(s.accessURL, { type: 'add_party', call_id: 'fake-call-1', party_id: 'p1', mode: 'conference', contact: { kind: 'pstn', target: '+14155550177' } });
  await event(fake, 'party_joined');
  const guest = legOf(s, '+14155550177');
  const annaCall = [...s.calls].find((c) => c.id() === s.legs()[0].callId);
  assert.ok(annaCall);
  annaCall.remoteHangup();
  await event(fake, 'call_ended');
  await s.waitFor((r) => r.type === 'call-event' && r.callId === guest && r.event === 'Call.Disconnected', WAIT, 'the guest hung up with the talk');
  assert.deepEqual(fake.events('party_left'), []);
  assert.deepEqual(s.errors, [], s.dump(40));
});
