// @ts-check
'use strict';
/**
 * Ring-all end to end: the real tandem binary, the real scenario in the emulator, operators
 * driven through the generated client. A ring_all queue rings its free operators at once; the
 * first to answer gets the call, the others' phones are hung up and their offers cancelled
 * (no miss); a caller who leaves ends every leg; a ring nobody answers is missed by all.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { CALLEES } = require('../emulator/voxengine.js');
const { OperatorState, CallState } = require('../emulator/operators.js');
const { OfferState } = require('../build/gen/tandem/common/v1/common_pb.js');
const { World, reports, reported, tandemBinary, WAIT } = require('./harness.js');

/** @typedef {import('../emulator/voxengine.js').Session} Session */
/** @typedef {import('../emulator/operators.js').OperatorApp} OperatorApp */

before(() => {
  tandemBinary(); // build once, before the first test's clock starts
});

/** Tandem's call id, once the intake was answered. @param {Session} s */
async function callIdOf(s) {
  const rec = await s.waitFor((r) => r.type === 'http-out' && r.code === 200 && new URL(r.url).pathname === '/v1/calls', WAIT, 'intake reply');
  return String(JSON.parse(rec.text).call_id);
}

/** @param {Session} s */
async function ended(s) {
  await s.waitFor((r) => r.type === 'terminated', WAIT, 'end of the session');
  assert.deepEqual(s.errors, [], `scenario errors:\n${s.dump(40)}`);
}

/** The emulator's call id of the leg dialed to target. @param {Session} s @param {string} target */
function legOf(s, target) {
  const d = s.legs().find((l) => l.target === target);
  assert.ok(d, `no leg to ${target}`);
  return String(d.callId);
}

/** Waits until the leg to target rang (its phone's Ringing). @param {Session} s @param {string} target */
function rang(s, target) {
  return s.waitFor((r) => r.type === 'call-event' && r.event === 'Call.Ringing' && r.callId === legOf(s, target), WAIT, `${target}'s phone ringing`);
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

/** Waits until every leg to targets was dialed. @param {Session} s @param {string[]} targets */
function dialed(s, targets) {
  return s.waitFor(() => targets.every((x) => s.legs().some((l) => l.target === x)), WAIT, `dials to ${targets.join(', ')}`);
}

/** The offers of a call by operator id: [state, failure code]. @param {World} w @param {string} callId */
async function offersOf(w, callId) {
  const call = await w.tandem.getCall(callId);
  /** @type {Record<string, [number, number]>} */
  const out = {};
  for (const o of call?.offers || []) out[o.operatorId] = [o.state, o.failureCode];
  return { call, offers: out };
}

/**
 * A ring_all queue of these operators, all ready, the earlier in the list idle longer.
 * @param {World} w @param {string[]} names @param {Record<string, unknown>} [queue]
 */
async function readyRing(w, names, queue = {}) {
  await w.setup(names, Object.assign({ strategy: 'ring_all', ringAtOnce: 3, offerTimeoutS: 20 }, queue));
  /** @type {OperatorApp[]} */
  const ops = [];
  for (const n of names) {
    const op = await w.logIn(n);
    await op.ready();
    await op.awaitState(OperatorState.READY, WAIT);
    ops.push(op);
  }
  return ops;
}

test('ring all: three phones ring at once; the fastest is bridged; the others are hung up, their offers cancelled, nobody missed', async (t) => {
  const w = await World.create();
  t.after(() => w.close());
  // Emulated seconds from each leg's dial (five times faster than the wall clock): the three
  // dials reach the cloud long before boris answers.
  w.callees.set('anna', CALLEES.answer(10));
  w.callees.set('boris', CALLEES.answer(5));
  w.callees.set('vera', CALLEES.noanswer());
  const [anna, boris, vera] = await readyRing(w, ['anna', 'boris', 'vera']);

  const s = w.call();
  const callId = await callIdOf(s);
  await dialed(s, ['anna', 'boris', 'vera']);
  const offers = s.legs().map((l) => l.headers['X-Tandem-Offer-Id']);
  assert.equal(new Set(offers).size, 3, 'one offer per leg');
  const answer = await s.waitFor((r) => r.type === 'callee' && r.did === 'answer', WAIT, 'the first answer');
  assert.equal(answer.target, 'boris', 'boris answers first');
  for (const x of ['anna', 'boris', 'vera']) assert.ok((await rang(s, x)).t <= answer.t, `${x}'s phone rang before the answer: all at once`);

  const onCall = await boris.awaitState(OperatorState.ON_CALL, WAIT);
  assert.equal(onCall.callId, callId);
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'boris', WAIT, 'the caller hears boris');
  await hungUpRinging(s, 'anna');
  await hungUpRinging(s, 'vera');
  assert.ok(!s.records.some((r) => r.type === 'callee' && r.did === 'answer' && r.target === 'anna'), 'anna\'s phone stopped before she answered');

  // The losers are ready again, nothing in their marks.
  for (const op of [anna, vera]) {
    await op.awaitState(OperatorState.RESERVED, WAIT);
    const st = await op.awaitState(OperatorState.READY, WAIT, op.seen.findIndex((x) => x.state === OperatorState.RESERVED));
    assert.equal(st.marks?.offersMissed ?? 0, 0, `${op.name}: no miss`);
    assert.equal(st.marks?.consecutiveMisses ?? 0, 0, `${op.name}: no miss in a row`);
  }
  const { offers: byOperator } = await offersOf(w, callId);
  assert.deepEqual(byOperator, {
    [anna.id]: [OfferState.CANCELLED, 0],
    [boris.id]: [OfferState.ANSWERED, 0],
    [vera.id]: [OfferState.CANCELLED, 0],
  });
  await reported(s, 'operator_answered');
  const answered = reports(s).filter((r) => r.body.operator_answered);
  assert.equal(answered.length, 1, 'one answer reported');
  assert.equal(answered[0].body.offer_id, boris.seen.find((x) => x.offer)?.offer?.offerId);
  assert.deepEqual(reports(s).filter((r) => r.body.dial_failed), [], 'the cancelled legs are not reported as failed');

  s.callerHangup();
  await reported(s, 'call_ended');
  await ended(s);
  const { call } = await offersOf(w, callId);
  assert.equal(call?.state, CallState.ENDED);
  assert.equal(call?.operatorId, boris.id);
});

test('ring all: the caller hangs up while the ring is out: every leg is hung up, the call is abandoned, nobody missed', async (t) => {
  const w = await World.create();
  t.after(() => w.close());
  for (const n of ['anna', 'boris', 'vera']) w.callees.set(n, CALLEES.noanswer());
  const ops = await readyRing(w, ['anna', 'boris', 'vera']);

  const s = w.call();
  const callId = await callIdOf(s);
  await dialed(s, ['anna', 'boris', 'vera']);
  for (const x of ['anna', 'boris', 'vera']) await rang(s, x);
  await s.waitFor(() => reports(s).filter((r) => r.code === 200 && r.body.operator_ringing).length === 3, WAIT, 'three rings reported');
  const marks = ops.map((op) => op.seen.length);
  s.callerHangup();
  await reported(s, 'caller_abandoned');
  for (const x of ['anna', 'boris', 'vera']) await hungUpRinging(s, x);
  await ended(s);
  assert.equal(reports(s).filter((r) => r.body.caller_abandoned).length, 1, 'abandoned once');
  assert.deepEqual(reports(s).filter((r) => r.body.dial_failed), []);

  for (const [i, op] of ops.entries()) {
    const st = await op.awaitState(OperatorState.READY, WAIT, marks[i]);
    assert.equal(st.marks?.offersMissed ?? 0, 0, `${op.name}: no miss`);
  }
  const { call, offers } = await offersOf(w, callId);
  assert.equal(call?.state, CallState.ABANDONED);
  for (const op of ops) assert.equal(offers[op.id]?.[0], OfferState.WITHDRAWN, `${op.name}'s offer taken back`);
});

test('ring all: nobody answers: each leg rings out (408), every one rung is missed, the call goes back in line and is answered later', async (t) => {
  const w = await World.create();
  t.after(() => w.close());
  for (const n of ['anna', 'boris', 'vera']) w.callees.set(n, CALLEES.noanswer());
  const ops = await readyRing(w, ['anna', 'boris', 'vera'], { offerTimeoutS: 5 });
  const [anna, boris, vera] = ops;

  const s = w.call();
  const callId = await callIdOf(s);
  await dialed(s, ['anna', 'boris', 'vera']);
  await s.waitFor(() => reports(s).filter((r) => r.code === 200 && r.body.dial_failed).length === 3, WAIT, 'three legs ringing out');
  const failed = reports(s).filter((r) => r.body.dial_failed);
  assert.deepEqual(
    failed.map((r) => r.body.dial_failed.code),
    [408, 408, 408],
  );
  for (const op of ops) {
    const away = await op.awaitState(OperatorState.AWAY, WAIT);
    assert.match(away.reason, /no answer/);
    assert.ok((away.marks?.offersMissed ?? 0) >= 1, `${op.name}: the miss is in his marks`);
  }
  const { call: waiting, offers } = await offersOf(w, callId);
  assert.equal(waiting?.state, CallState.WAITING, 'back in line');
  for (const op of ops) assert.deepEqual(offers[op.id], [OfferState.FAILED, 408], `${op.name}'s offer failed`);
  assert.ok(!s.records.some((r) => r.type === 'hangup' && r.incoming !== false && s.caller && r.callId === s.caller.id()), 'the caller still waits');

  // Boris comes back and answers: the call, still in line, is his.
  w.callees.set('boris', CALLEES.answer(0.5));
  await boris.ready();
  await boris.awaitState(OperatorState.ON_CALL, WAIT);
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'boris', WAIT, 'the caller hears boris');
  s.callerHangup();
  await reported(s, 'call_ended');
  await ended(s);
  const { call } = await offersOf(w, callId);
  assert.equal(call?.state, CallState.ENDED);
  assert.equal(call?.operatorId, boris.id);
  assert.equal(anna.status?.state, OperatorState.AWAY);
  assert.equal(vera.status?.state, OperatorState.AWAY);
});
