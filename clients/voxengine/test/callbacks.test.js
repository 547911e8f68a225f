// @ts-check
'use strict';
/**
 * End to end, issue 22 (callbacks and voicemail): the real tandem binary started with the
 * Management API flags pointing at the emulator's StartScenarios, the real scenario and the real
 * callback scenario (callback.js) in the emulator, operators through the generated client. A
 * caller who accepts a callback keeps his place; when an operator is ready Tandem starts the
 * callback scenario, which rings her, then the customer, and reports the talk. A caller sent to
 * voicemail leaves a message that becomes a callback. Every wait is bounded and waits for an
 * event.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { World, reports, reported, tandemBinary, WAIT } = require('./harness.js');

/** @typedef {import('../emulator/voxengine.js').Session} Session */

const CALLER = '+15557654321';

before(() => {
  tandemBinary(); // build once, before the first test's clock starts
});

/** @param {Session} s */
async function ended(s) {
  await s.waitFor((r) => r.type === 'terminated', WAIT, 'the end of the session');
}

/** The call id Tandem gave a session's register. @param {Session} s */
function registeredAs(s) {
  const r = s.records.find((x) => x.type === 'http-out' && new URL(x.url).pathname === '/v1/calls' && x.code === 200);
  assert.ok(r, 'the session registered');
  return String(JSON.parse(String(r.text)).call_id);
}

/** The next callback scenario the emulator starts. @param {World} w @returns {Promise<Session>} */
function nextCallback(w) {
  return new Promise((resolve) => w.vox.once('started-scenarios', (/** @type {any} */ ev) => resolve(ev.session)));
}

test('callback: a waiting caller says "call me back" and is let go; when anna is ready the callback scenario rings her, then him; the talk is reported and the callback ends connected', async (t) => {
  const w = await World.create({ callbacks: true });
  t.after(() => w.close());
  await w.setup(['anna'], { callback: { offerAfterS: 2 } });
  const anna = await w.logIn('anna'); // at work, not ready: the caller waits
  w.callees.set(CALLER, { answerAfterS: 2, hangupAfterS: 6 });
  // He says it when asked (the scenario listens once the offer is said): no race with the clock.
  const s = w.call({ caller: { answers: [{ text: 'Call me back, please' }] } });
  await reported(s, 'callback_answer');
  await s.waitFor((r) => r.type === 'say' && /call you back at \+15557654321/.test(String(r.text)), WAIT, 'the confirmation');
  await ended(s);
  const inbound = registeredAs(s);
  assert.ok(!reports(s).some((r) => r.body && r.body.caller_abandoned), 'the caller Tandem let go did not abandon');
  const waiting = await w.tandem.assignment.listCalls({ queueId: 'support' }, w.tandem.asAdmin());
  assert.equal(waiting.calls.length, 1, 'one callback waits');
  assert.equal(waiting.calls[0].callback?.ofCallId, inbound);
  assert.equal(waiting.calls[0].position, 1, 'at the caller\'s place');

  const started = nextCallback(w);
  await anna.ready();
  const cb = await started;
  await reported(cb, 'operator_answered');
  await reported(cb, 'customer_answered');
  await reported(cb, 'call_ended');
  await ended(cb);
  const call = await w.tandem.getCall(registeredAs(cb));
  assert.equal(call?.callback?.result, 'connected', JSON.stringify(call?.callback));
  assert.equal(call?.callback?.number, CALLER);
  assert.equal(call?.operatorId, anna.id);
  assert.ok(cb.records.some((r) => r.type === 'dial' && r.kind === 'pstn' && r.target === CALLER), 'the customer was called');
});

test('voicemail: a full line sends the caller to voicemail; his message is reported after the call and waits as a callback', async (t) => {
  const w = await World.create({ callbacks: true });
  t.after(() => w.close());
  await w.setup(['anna'], { maxWaiting: 1, maxWaitingExit: { kind: 'voicemail', text: 'Please leave a message.' } });
  const first = w.call({ callerid: '+15550001111' });
  await first.waitFor((r) => r.type === 'http-out' && new URL(String(r.url)).pathname === '/v1/calls' && r.code === 200, WAIT, 'the first call in line');
  const s = w.call({ caller: { hangupAfterS: 12 } });
  await s.waitFor((r) => r.type === 'say' && r.text === 'Please leave a message.', WAIT, 'the voicemail prompt');
  await reported(s, 'voicemail_recorded');
  await ended(s);
  const inbound = await w.tandem.getCall(registeredAs(s));
  assert.match(String(inbound?.voicemailUrl), /^https:\/\//);
  assert.ok((inbound?.voicemailLengthMs || 0) > 0);
  const calls = await w.tandem.assignment.listCalls({ queueId: 'support' }, w.tandem.asAdmin());
  const vm = calls.calls.find((c) => c.callback?.ofCallId === inbound?.callId);
  assert.ok(vm, 'a callback answers the message');
  const detail = await w.tandem.getCall(String(vm?.callId)); // the message's URL is for those who hear recordings
  assert.equal(detail?.callback?.voicemailUrl, inbound?.voicemailUrl);
  assert.ok(!reports(s).some((r) => r.body && r.body.caller_abandoned), 'no abandon');
  first.callerHangup();
});
