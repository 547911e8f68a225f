// @ts-check
'use strict';
/**
 * End to end: the real tandem binary, the real scenario in the emulator, operators driven
 * through the generated client. Every wait is bounded and waits for an event.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { CALLEES } = require('../emulator/voxengine.js');
const { OperatorState, CallState, HangupParty, TransferState } = require('../emulator/operators.js');
const { OfferState } = require('../build/gen/tandem/common/v1/common_pb.js');
const { QueueSchema } = require('../build/gen/tandem/admin/v1/admin_pb.js');
const { World, TandemServer, Switch, reports, reported, tandemBinary, OPT_IN, SECRET, FALLBACK_NUMBER, WAIT } = require('./harness.js');

/** @typedef {import('../emulator/voxengine.js').Session} Session */

before(() => {
  tandemBinary(); // build once, before the first test's clock starts
});

/** Waits for the session to end. @param {Session} s */
async function ended(s) {
  await s.waitFor((r) => r.type === 'terminated', WAIT, 'end of the session');
}

/** Tandem's call id, once the intake was answered. @param {Session} s */
async function callIdOf(s) {
  const rec = await s.waitFor((r) => r.type === 'http-out' && r.code === 200 && new URL(r.url).pathname === '/v1/calls', WAIT, 'intake reply');
  return String(JSON.parse(rec.text).call_id);
}

/**
 * The longest time the caller heard nothing, between the answer and his first operator (or the
 * end), in wall-clock ms.
 * @param {Session} s
 */
function longestSilence(s) {
  let longest = 0;
  let silentSince = -1;
  for (const r of s.records) {
    if (r.type === 'heard') {
      if (r.what === 'silence' && silentSince < 0) silentSince = r.t;
      if (r.what !== 'silence' && silentSince >= 0) {
        longest = Math.max(longest, r.t - silentSince);
        silentSince = -1;
      }
      if (r.what === 'call') break;
    }
    if (r.type === 'hangup' && r.incoming) break;
  }
  return longest;
}

/** @param {Session} s */
function noErrors(s) {
  assert.deepEqual(s.errors, [], `scenario errors:\n${s.dump(40)}`);
}

test('1. caller → operator answers → operator hangs up: ended, hung up by the operator', async (t) => {
  const w = await World.create();
  t.after(() => w.close());
  // With the voice opt-in on: after the operator ends the call, Tandem asks the caller whether
  // she should answer his calls from now on; he says yes.
  await w.setup(['anna'], OPT_IN ? { noOptIn: false } : {});
  const anna = await w.logIn('anna');
  await anna.ready();
  w.callees.set('anna', CALLEES.answer(0.5, 2)); // answers after 0.5 s, hangs up after 2 s of talk

  const s = w.call({ caller: { answers: [{ text: 'Yes', confidence: 0.92 }] } });
  const callId = await callIdOf(s);
  const onCall = await anna.awaitState(OperatorState.ON_CALL, WAIT);
  assert.equal(onCall.callId, callId);
  const answered = await reported(s, 'operator_answered');
  assert.ok(answered.operator_answered.ring_time_ms > 0, 'ring time reported');
  const end = await reported(s, 'call_ended');
  assert.equal(end.call_ended.hung_up_by, 'HANGUP_PARTY_OPERATOR');
  assert.ok(end.call_ended.talk_time_ms > 0);
  if (OPT_IN) {
    const answer = await reported(s, 'speech_answer');
    assert.equal(answer.speech_answer.verdict, 'SPEECH_VERDICT_YES');
    await s.waitFor((r) => r.type === 'say' && /thank you/i.test(r.text), WAIT, 'the thanks');
    assert.match(s.spoken()[0], /Would you like anna/);
  }
  await ended(s);

  const call = await w.tandem.getCall(callId);
  assert.equal(call?.state, CallState.ENDED);
  assert.equal(call?.hungUpBy, HangupParty.OPERATOR);
  assert.equal(call?.operatorId, anna.id);
  assert.ok((call?.talkTimeMs || 0) > 0);
  // The caller heard music, then Anna; he was hung up by the scenario after she left.
  const heard = s.heard().map((h) => h.what);
  assert.equal(heard[0], 'music');
  assert.ok(heard.includes('call'));
  assert.ok(longestSilence(s) < 200, `silence of ${longestSilence(s)} ms before the operator`);
  assert.ok(s.records.some((r) => r.type === 'hangup' && r.by === 'scenario' && r.wasState === 'CONNECTED'));
  noErrors(s);
});

test('2. caller → operator answers → caller hangs up: ended, hung up by the caller', async (t) => {
  const w = await World.create();
  t.after(() => w.close());
  await w.setup(['anna']);
  const anna = await w.logIn('anna');
  await anna.ready();
  w.callees.set('anna', CALLEES.answer(0.5)); // Anna would talk forever

  const s = w.call({ caller: { hangupAfterBridgeS: 1.5 } });
  const callId = await callIdOf(s);
  await anna.awaitState(OperatorState.ON_CALL, WAIT);
  const end = await reported(s, 'call_ended');
  assert.equal(end.call_ended.hung_up_by, 'HANGUP_PARTY_CALLER');
  await ended(s);

  const call = await w.tandem.getCall(callId);
  assert.equal(call?.state, CallState.ENDED);
  assert.equal(call?.hungUpBy, HangupParty.CALLER);
  // The scenario hung up Anna's leg itself once the caller had gone.
  const annaLeg = s.legs()[0];
  assert.ok(s.records.some((r) => r.type === 'hangup' && r.callId === annaLeg.callId && r.by === 'scenario'));
  noErrors(s);
});

test('3. first operator busy (486) → the second gets the call; the first is marked and set away', async (t) => {
  const w = await World.create();
  t.after(() => w.close());
  await w.setup(['anna', 'boris']);
  const anna = await w.logIn('anna');
  const boris = await w.logIn('boris');
  await anna.ready();
  await anna.awaitState(OperatorState.READY, WAIT);
  await boris.ready(); // Anna has waited longer: she is offered the call first
  w.callees.set('anna', CALLEES.busy(0.3));
  w.callees.set('boris', CALLEES.answer(0.5, 1));

  const s = w.call();
  const callId = await callIdOf(s);
  const failed = await reported(s, 'dial_failed');
  assert.equal(failed.dial_failed.code, 486);
  const away = await anna.awaitState(OperatorState.AWAY, WAIT);
  assert.match(away.reason, /busy/);
  const annaMarks = /** @type {any} */ (away).marks;
  if (annaMarks) assert.ok(annaMarks.offersMissed >= 1 || annaMarks.consecutiveMisses >= 1, 'the miss is in his marks');
  const onCall = await boris.awaitState(OperatorState.ON_CALL, WAIT);
  assert.equal(onCall.callId, callId);
  await ended(s);

  assert.deepEqual(
    s.legs().map((l) => l.target),
    ['anna', 'boris'],
  );
  const call = await w.tandem.getCall(callId);
  assert.equal(call?.state, CallState.ENDED);
  assert.equal(call?.operatorId, boris.id);
  const offers = call?.offers || [];
  assert.deepEqual(
    offers.map((o) => [o.operatorId, o.state]),
    [
      [anna.id, OfferState.FAILED],
      [boris.id, OfferState.ANSWERED],
    ],
  );
  assert.equal(offers[0].failureCode, 486);
  noErrors(s);
});

test('4. no answer → the call keeps its place in line and goes to the next operator', async (t) => {
  const w = await World.create();
  t.after(() => w.close());
  await w.setup(['anna', 'boris']); // offer timeout 5 s: the scenario's ring timeout
  const anna = await w.logIn('anna');
  const boris = await w.logIn('boris');
  await anna.ready();
  w.callees.set('anna', CALLEES.noanswer());
  w.callees.set('boris', CALLEES.answer(0.5)); // talks until the caller hangs up

  const first = w.call({ callerid: '+15550000001' });
  const firstId = await callIdOf(first);
  await first.waitFor((r) => r.type === 'dial' && r.target === 'anna', WAIT, 'dial to anna');
  const second = w.call({ callerid: '+15550000002' });
  const secondId = await callIdOf(second);

  // Anna's phone rings out: the scenario stops ringing at the offer's timeout and says so.
  const failed = await reported(first, 'dial_failed');
  assert.equal(failed.dial_failed.code, 408);
  const away = await anna.awaitState(OperatorState.AWAY, WAIT);
  assert.match(away.reason, /no answer/);
  assert.equal(second.legs().length, 0, 'the second caller was not dialled');

  // Boris comes: the first call, back at its old place ahead of the second, is his.
  await boris.ready();
  const reserved = await boris.awaitState(OperatorState.RESERVED, WAIT);
  assert.equal(reserved.offer?.callId, firstId);
  await boris.awaitState(OperatorState.ON_CALL, WAIT);
  // The second caller gives up while Boris talks; then the first one hangs up.
  second.callerHangup();
  await ended(second);
  assert.equal((await w.tandem.getCall(secondId))?.state, CallState.ABANDONED);
  first.callerHangup();
  await ended(first);
  const call = await w.tandem.getCall(firstId);
  assert.deepEqual(
    (call?.offers || []).map((o) => [o.operatorId, o.state, o.failureCode]),
    [
      [anna.id, OfferState.FAILED, 408],
      [boris.id, OfferState.ANSWERED, 0],
    ],
  );
  // The first caller heard music the whole time Anna's phone rang.
  assert.ok(longestSilence(first) < 200);
  noErrors(first);
  noErrors(second);
});

test('5. caller hangs up while waiting → abandoned, nobody dialled afterwards', async (t) => {
  const w = await World.create();
  t.after(() => w.close());
  await w.setup(['anna']);
  const anna = await w.logIn('anna');

  // Nobody is ready: the caller waits, then gives up.
  const a = w.call({ callerid: '+15550000001' });
  const aId = await callIdOf(a);
  a.callerHangup();
  const abandoned = await reported(a, 'caller_abandoned');
  assert.ok(abandoned.caller_abandoned.wait_time_ms >= 0);
  await ended(a);
  assert.equal((await w.tandem.getCall(aId))?.state, CallState.ABANDONED);

  // Anna is ready now: the next call is hers and the abandoned one is never dialled.
  await anna.ready();
  w.callees.set('anna', CALLEES.noanswer());
  const b = w.call({ callerid: '+15550000002' });
  const bId = await callIdOf(b);
  const reserved = await anna.awaitState(OperatorState.RESERVED, WAIT);
  assert.equal(reserved.offer?.callId, bId);
  assert.equal(a.legs().length, 0);
  assert.equal(a.records.filter((r) => r.type === 'http-in').length, 0, 'no command reached the abandoned session');

  // The same while her phone rings: the scenario stops ringing her, and she is free again.
  await b.waitFor((r) => r.type === 'call-event' && r.event === 'Call.Ringing', WAIT, 'ringing');
  const since = anna.seen.length;
  b.callerHangup();
  const ab = await reported(b, 'caller_abandoned');
  assert.equal(ab.offer_id, reserved.offer?.offerId);
  await anna.awaitState(OperatorState.READY, WAIT, since);
  await ended(b);
  assert.equal((await w.tandem.getCall(bId))?.state, CallState.ABANDONED);
  const herLeg = b.legs()[0];
  assert.ok(b.records.some((r) => r.type === 'hangup' && r.callId === herLeg.callId && r.by === 'scenario' && r.wasState === 'PROGRESSING'), 'the scenario stopped ringing her');
  assert.equal(reports(b).filter((r) => r.body.dial_failed).length, 0, 'a cancelled leg is not a miss');
  noErrors(a);
  noErrors(b);
});

test('6. Tandem down at intake → the scenario retries with music; Tandem comes back and the call is routed', async (t) => {
  const sw = await new Switch().listen();
  const w = await World.create({ tandem: false, backend: sw.url, config: { intakeMaxAttempts: 200, retryMaxDelayMs: 1000 } });
  t.after(async () => {
    await w.close();
    await sw.close();
  });
  w.callees.set('anna', CALLEES.answer(0.5, 1));

  const s = w.call();
  await sw.refusedAtLeast(3);
  assert.equal(s.heard().at(-1)?.what, 'music', 'the caller hears music while the scenario retries');
  assert.equal(s.spoken().length, 0, 'no apology yet');

  // Tandem comes back (a fresh server), with Anna ready.
  w.server = await TandemServer.start();
  w.api = new (require('../emulator/operators.js').Tandem)(w.server.url, { adminKey: require('./harness.js').ADMIN_KEY });
  await w.setup(['anna']);
  const anna = await w.logIn('anna');
  await anna.ready();
  sw.up(w.server.url);

  const callId = await callIdOf(s);
  const onCall = await anna.awaitState(OperatorState.ON_CALL, WAIT);
  assert.equal(onCall.callId, callId);
  await ended(s);
  // Every intake attempt was the same request: one idempotency id and one webhook-id.
  const intakes = s.records.filter((r) => r.type === 'http-out' && new URL(r.url).pathname === '/v1/calls');
  assert.ok(intakes.length >= 4, `${intakes.length} intake attempts`);
  assert.equal(new Set(intakes.map((r) => JSON.parse(r.body).request_id)).size, 1);
  assert.ok(intakes.slice(0, -1).every((r) => r.code < 0), 'the failed attempts were transport errors');
  assert.ok(longestSilence(s) < 200, `silence of ${longestSilence(s)} ms`);
  assert.deepEqual(s.spoken(), [], s.dump(60));
  noErrors(s);
});

test('7. Tandem down for good → the caller hears the apology and the fallback number is dialled', async (t) => {
  const sw = await new Switch().listen();
  const w = await World.create({ tandem: false, backend: sw.url, config: { intakeMaxAttempts: 4 } });
  t.after(async () => {
    await w.close();
    await sw.close();
  });
  w.callees.set(FALLBACK_NUMBER, CALLEES.answer(0.5));

  const s = w.call({ caller: { hangupAfterBridgeS: 1 } });
  const dial = await s.waitFor((r) => r.type === 'dial', WAIT, 'the fallback dial');
  assert.equal(dial.kind, 'pstn');
  assert.equal(dial.target, FALLBACK_NUMBER);
  assert.equal(dial.callerid, '+15557654321', 'the caller id is the caller’s own number');
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === FALLBACK_NUMBER, WAIT, 'the caller put through');
  await ended(s);
  assert.equal(sw.refused, 4, 'four intake attempts, then the fallback');
  const said = s.spoken();
  assert.match(said[0], /sorry/i);
  // Music before the apology, and again while the fallback number rang.
  const heard = s.heard().map((h) => h.what);
  assert.deepEqual(heard.slice(0, 2), ['music', 'speech']);
  assert.ok(heard.indexOf('music', 2) > 1);
  noErrors(s);

  // Without a fallback number (session custom data overrides it): apology, goodbye, hang up.
  const polite = w.call({ sessionCustomData: '{"fallbackNumber":""}' });
  await ended(polite);
  assert.equal(polite.legs().length, 0);
  const words = polite.spoken();
  assert.equal(words.length, 2);
  assert.match(words[0], /sorry/i);
  assert.match(words[1], /goodbye/i);
  assert.ok(polite.records.some((r) => r.type === 'hangup' && r.by === 'scenario' && r.incoming !== false));
  noErrors(polite);
});

test('8. a forged command POSTed to the accessURL is refused by the scenario', async (t) => {
  const w = await World.create();
  t.after(() => w.close());
  await w.setup(['anna']);
  const anna = await w.logIn('anna');
  w.callees.set('anna', CALLEES.answer(0.5, 1));
  w.callees.set('mallory', CALLEES.answer(0.1));

  const s = w.call();
  const callId = await callIdOf(s);
  const forged = JSON.stringify({ type: 'dial', call_id: callId, offer_id: 'offer_forged', contact: { kind: 'user', target: 'mallory' }, timeout_s: 20 });
  const now = Math.floor(Date.now() / 1000);
  /**
   * @param {string} body @param {Record<string, string>} headers
   * @returns {Promise<{ ok: boolean, error?: string }>}
   */
  const post = async (body, headers) => {
    const res = await fetch(s.accessURL, { method: 'POST', body, headers: Object.assign({ 'content-type': 'application/json' }, headers) });
    assert.equal(res.status, 200);
    return JSON.parse(await res.text());
  };
  /** @param {string} secret @param {string} id @param {number} ts @param {string} body */
  const sig = (secret, id, ts, body) => 'v1,' + crypto.createHmac('sha256', secret).update(`${id}.${ts}.${body}`).digest('base64');

  const attempts = {
    'no signature': await post(forged, {}),
    'another secret': await post(forged, { 'webhook-id': 'f1', 'webhook-timestamp': String(now), 'webhook-signature': sig('guess', 'f1', now, forged) }),
    'stale timestamp': await post(forged, { 'webhook-id': 'f2', 'webhook-timestamp': String(now - 600), 'webhook-signature': sig(SECRET, 'f2', now - 600, forged) }),
    'future timestamp': await post(forged, { 'webhook-id': 'f3', 'webhook-timestamp': String(now + 600), 'webhook-signature': sig(SECRET, 'f3', now + 600, forged) }),
    'tampered body': await post(forged, { 'webhook-id': 'f4', 'webhook-timestamp': String(now), 'webhook-signature': sig(SECRET, 'f4', now, forged.replace('mallory', 'anna')) }),
    'garbage signature': await post(forged, { 'webhook-id': 'f5', 'webhook-timestamp': String(now), 'webhook-signature': 'v1,AAAA v2,zzz' }),
  };
  for (const [what, reply] of Object.entries(attempts)) {
    assert.equal(reply.ok, false, `${what}: ${JSON.stringify(reply)}`);
  }
  assert.equal(s.legs().length, 0, 'nobody was dialled');

  // A genuine command works, once: a duplicate delivery (same webhook-id) is not acted on again.
  const say = JSON.stringify({ type: 'say', call_id: callId, text: 'Thank you for waiting.' });
  const genuine = { 'webhook-id': 'cmd_genuine', 'webhook-timestamp': String(now), 'webhook-signature': sig(SECRET, 'cmd_genuine', now, say) };
  assert.deepEqual(await post(say, genuine), { ok: true });
  assert.deepEqual(await post(say, genuine), { ok: true });
  assert.equal(s.spoken().filter((x) => x === 'Thank you for waiting.').length, 1);

  // And the session still takes Tandem's own commands.
  await anna.ready();
  await anna.awaitState(OperatorState.ON_CALL, WAIT);
  await ended(s);
  assert.deepEqual(
    s.legs().map((l) => l.target),
    ['anna'],
  );
  assert.ok(s.logs().some((l) => /refused/.test(l)));
  noErrors(s);
});

const announcements = QueueSchema.fields.some((f) => f.name === 'announce_every_s');
test(
  '9. position announcements arrive while the caller waits',
  { skip: announcements ? false : 'this Tandem has no position announcements (admin.v1.Queue has no announce_every_s)' },
  async (t) => {
    const w = await World.create();
    t.after(() => w.close());
    // 15 s is the shortest interval Tandem allows, on its own (real) clock.
    await w.setup(['anna'], { announceEveryS: 15 });
    const anna = await w.logIn('anna');
    w.callees.set('anna', CALLEES.answer(0.5, 1));

    const first = w.call({ callerid: '+15550000001' });
    await callIdOf(first);
    const second = w.call({ callerid: '+15550000002' });
    await callIdOf(second);
    const bound = 15000 + WAIT;
    // The intake reply says each his place at once; then a say command every 15 s.
    const a1 = await first.waitFor((r) => r.type === 'say', bound, 'an announcement');
    const a2 = await second.waitFor((r) => r.type === 'say', bound, 'an announcement');
    assert.match(a1.text, /next in line|number 1 in line/i);
    assert.match(a2.text, /number 2 in line/i);
    for (const s of [first, second]) {
      const cmd = await s.waitFor((r) => r.type === 'http-in' && /"type":"say"/.test(r.body), bound, 'an announcement by command');
      const said = await s.waitFor((r) => r.type === 'say' && r.t >= cmd.t && /in line/.test(String(r.text)), WAIT, 'the commanded announcement');
      // After the announcement the music comes back.
      await s.waitFor((r) => r.type === 'heard' && r.what === 'music' && r.t > said.t, WAIT, 'music after the announcement');
    }
    assert.ok(longestSilence(first) < 200);

    await anna.ready();
    await anna.awaitState(OperatorState.ON_CALL, WAIT);
    await ended(first);
    second.callerHangup();
    await ended(second);
    noErrors(first);
    noErrors(second);
  },
);

test('10. the operator holds the caller over the API: the caller hears hold music and the operator silence; resume bridges them again; the hold time is kept', async (t) => {
  const w = await World.create();
  t.after(() => w.close());
  await w.setup(['anna']);
  const anna = await w.logIn('anna');
  await anna.ready();
  w.callees.set('anna', CALLEES.answer(0.5)); // Anna would talk forever

  const s = w.call();
  const callId = await callIdOf(s);
  await anna.awaitState(OperatorState.ON_CALL, WAIT);
  const bridged = await s.waitFor((r) => r.type === 'heard' && r.what === 'call', WAIT, 'the caller hears anna');
  const held = await anna.hold(callId);
  assert.ok(held?.heldSince, 'the call is held');
  const music = await s.waitFor((r) => r.type === 'heard' && r.what === 'music' && r.t > bridged.t, WAIT, 'the hold music');
  assert.ok(s.records.some((r) => r.type === 'leg-heard' && r.what === 'silence' && r.t >= bridged.t), 'anna hears silence');
  await anna.waitFor((st) => !!st.call?.heldSince, WAIT, 'the hold in her status');
  await new Promise((r) => setTimeout(r, 300));
  const resumed = await anna.resume(callId);
  assert.equal(resumed?.heldSince, undefined);
  assert.ok((resumed?.holdTimeMs || 0) >= 250, `hold time ${resumed?.holdTimeMs} ms`);
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.t > music.t, WAIT, 'anna again');
  s.callerHangup();
  await ended(s);
  const call = await w.tandem.getCall(callId);
  assert.equal(call?.holdTimeMs, resumed?.holdTimeMs);
  assert.ok((call?.talkTimeMs || 0) >= (call?.holdTimeMs || 0), 'talk includes the hold');
  noErrors(s);
});

test('11. transfers over the API: anna consults boris while the caller hears music, completes (the caller hears boris, anna wraps up); boris transfers blind to the queue and the call keeps its arrival', async (t) => {
  const w = await World.create();
  t.after(() => w.close());
  await w.setup(['anna', 'boris']);
  const anna = await w.logIn('anna');
  const boris = await w.logIn('boris');
  await anna.ready();
  w.callees.set('anna', CALLEES.answer(0.3));
  w.callees.set('boris', CALLEES.answer(0.5));

  const s = w.call();
  const callId = await callIdOf(s);
  await anna.awaitState(OperatorState.ON_CALL, WAIT);
  const bridged = await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'anna', WAIT, 'the caller hears anna');
  const arrived = (await w.tandem.getCall(callId))?.arrivedAt;

  await assert.rejects(anna.transfer(callId, { operatorId: boris.id }, 'warm'), /boris is/, 'boris is not ready');
  await boris.ready();
  const started = await anna.transfer(callId, { operatorId: boris.id }, 'warm');
  assert.equal(started?.transfer?.state, TransferState.DIALING);
  const music = await s.waitFor((r) => r.type === 'heard' && r.what === 'music' && r.t > bridged.t, WAIT, 'music while they consult');
  await anna.waitFor((st) => st.call?.transfer?.state === TransferState.CONSULTING, WAIT, 'consulting');
  await boris.awaitState(OperatorState.ON_CALL, WAIT);
  assert.ok(!s.records.some((r) => r.type === 'heard' && r.t > music.t), 'the caller hears only music during the consult');
  const annaSince = anna.seen.length;
  await anna.completeTransfer(callId);
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'boris', WAIT, 'the caller hears boris');
  await anna.awaitState(OperatorState.READY, WAIT, annaSince); // the queue has no wrap-up
  const after = await w.tandem.getCall(callId);
  assert.equal(after?.operatorId, boris.id);

  // boris, blind to the queue: the caller waits in line again with his arrival, and anna takes
  // him.
  const borisSince = boris.seen.length;
  const back = await boris.transfer(callId, { queueId: 'support' }, 'blind', 3);
  assert.equal(back?.state, CallState.WAITING);
  assert.deepEqual(back?.arrivedAt, arrived);
  await s.waitFor((r) => r.type === 'heard' && r.what === 'music' && r.t > music.t, WAIT, 'music in line');
  await boris.awaitState(OperatorState.READY, WAIT, borisSince);
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'anna' && r.t > music.t, 20000, 'anna again');
  s.callerHangup();
  await ended(s);
  const done = await w.tandem.getCall(callId);
  assert.equal(done?.state, CallState.ENDED);
  assert.deepEqual(done?.arrivedAt, arrived);
  noErrors(s);
});
