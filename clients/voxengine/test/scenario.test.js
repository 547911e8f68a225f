// @ts-check
'use strict';
/**
 * The scenario against a programmable fake Tandem: questions and answers, commands in event
 * replies, hangup, cancel and duplicate commands, refusals, the outbox, configuration sources.
 * Fast: no real server, and the emulator's time runs 10× faster.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { Emulator, CALLEES } = require('../emulator/voxengine.js');
const { FakeTandem } = require('./fake-tandem.js');
const { scenarioConfig, SECRET, FALLBACK_NUMBER, WAIT } = require('./harness.js');

/** @typedef {import('../emulator/voxengine.js').Session} Session */
/** @typedef {import('./fake-tandem.js').FakeHandler} FakeHandler */

/**
 * @param {import('node:test').TestContext} t
 * @param {{ handler?: FakeHandler, config?: Record<string, unknown>, callees?: Record<string, import('../emulator/voxengine.js').CalleeScript>, emulator?: import('../emulator/voxengine.js').EmulatorOptions }} [o]
 */
async function setup(t, o = {}) {
  const fake = await new FakeTandem(o.handler).listen();
  const callees = o.callees || {};
  const emu = new Emulator(
    Object.assign(
      {
        timeScale: 10,
        secrets: { tandem_config: scenarioConfig(fake.url, o.config) },
        callee: (/** @type {string} */ kind, /** @type {string} */ target) => callees[target],
        defaultCallee: CALLEES.answer(0.5),
      },
      o.emulator || {},
    ),
  );
  await emu.start();
  t.after(async () => {
    await emu.close();
    await fake.close();
  });
  return { fake, emu };
}

/** @param {Session} s */
async function ended(s) {
  await s.waitFor((r) => r.type === 'terminated', WAIT, 'end of the session');
}

/** @param {FakeTandem} fake */
function intake(fake) {
  return fake.waitUntil((rs) => rs.some((r) => r.path === '/v1/calls'), WAIT, 'intake');
}

/** @param {FakeTandem} fake @param {string} kind */
async function event(fake, kind) {
  await fake.waitUntil((rs) => rs.some((r) => r.body[kind] !== undefined), WAIT, kind);
  return fake.events(kind)[0].body;
}

/** @param {Session} s */
function noErrors(s) {
  assert.deepEqual(s.errors, [], s.dump(40));
}

test('ask while waiting: the spoken answer is reported with a verdict, then the music resumes', async (t) => {
  const { fake, emu } = await setup(t);
  const s = emu.placeCall({ caller: { answers: [{ text: 'Yes, please', confidence: 87 }] } });
  await intake(fake);
  const reply = await fake.command(s.accessURL, { type: 'ask', call_id: 'fake-call-1', text: 'Do you want Anna to take your calls from now on?', question_id: 'q1' });
  assert.deepEqual(reply, { ok: true });
  const ev = await event(fake, 'speech_answer');
  assert.equal(ev.speech_answer.question_id, 'q1');
  assert.equal(ev.speech_answer.text, 'Yes, please');
  assert.equal(ev.speech_answer.verdict, 'SPEECH_VERDICT_YES');
  assert.ok(Math.abs(ev.speech_answer.confidence - 0.87) < 1e-9, 'confidence on 0..1');
  const asked = /** @type {import('../emulator/voxengine.js').Rec} */ (s.records.find((r) => r.type === 'say'));
  assert.match(asked.text, /Anna/);
  await s.waitFor((r) => r.type === 'heard' && r.what === 'music' && r.t > asked.t, WAIT, 'music again');
  assert.ok(s.records.some((r) => r.type === 'asr-stop'), 'the recognizer was stopped');
  s.callerHangup();
  await event(fake, 'caller_abandoned');
  await ended(s);
  noErrors(s);
});

test('operator hangs up first: the call_ended reply asks a question; the answer is reported, then the caller is hung up', async (t) => {
  const { fake, emu } = await setup(t, {
    handler: (r) => (r.body.call_ended ? { json: { next: { type: 'ask', call_id: 'fake-call-1', text: 'Shall Anna always answer your calls?', question_id: 'optin' } } } : undefined),
    callees: { anna: CALLEES.answer(0.3, 1) },
  });
  const s = emu.placeCall({ caller: { answers: [{ text: 'no thanks', confidence: 0.8 }] } });
  await intake(fake);
  await fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: 'o1', contact: { kind: 'user', target: 'anna' }, timeout_s: 20, caller_id: '+15557654321' });
  const ev = await event(fake, 'speech_answer');
  assert.equal(ev.speech_answer.verdict, 'SPEECH_VERDICT_NO');
  assert.equal(ev.speech_answer.question_id, 'optin');
  await ended(s);
  const kinds = fake.requests.map((r) => (r.path === '/v1/calls' ? 'intake' : Object.keys(r.body).find((k) => !['request_id', 'occurred_at', 'offer_id'].includes(k))));
  assert.deepEqual(kinds, ['intake', 'operator_ringing', 'operator_answered', 'call_ended', 'speech_answer']);
  assert.equal(fake.events('call_ended')[0].body.call_ended.hung_up_by, 'HANGUP_PARTY_OPERATOR');
  const result = /** @type {import('../emulator/voxengine.js').Rec} */ (s.records.find((r) => r.type === 'asr-result'));
  assert.ok(s.records.some((r) => r.type === 'hangup' && r.by === 'scenario' && r.incoming !== false && r.t >= result.t), 'the caller was hung up after answering');
  noErrors(s);
});

test('the intake reply is read by its proto field names: the queue\'s greeting, then its hold music', async (t) => {
  const { fake, emu } = await setup(t, {
    handler: (r) =>
      r.path === '/v1/calls'
        ? { json: { call_id: 'fake-call-7', queue_id: 'vip', position: 3, hold_music_url: 'https://media.example.com/vip.mp3', greeting: 'Welcome, valued customer.' } }
        : undefined,
  });
  const s = emu.placeCall();
  await intake(fake);
  const greeted = await s.waitFor((r) => r.type === 'say' && r.text === 'Welcome, valued customer.', WAIT, 'the greeting');
  await s.waitFor((r) => r.type === 'heard' && r.url === 'https://media.example.com/vip.mp3' && r.t >= greeted.t, WAIT, 'the queue\'s music');
  assert.match(s.logs().join('\n'), /registered as fake-call-7, queue vip, position 3/);
  s.callerHangup();
  const ev = await event(fake, 'caller_abandoned');
  assert.equal(fake.events('caller_abandoned')[0].path, '/v1/calls/fake-call-7/events', 'events name the call id of the reply');
  assert.ok(ev.caller_abandoned.wait_time_ms >= 0);
  await ended(s);
  noErrors(s);
});

test('the intake reply\'s announcement (place in line, expected wait) follows the greeting, then the music', async (t) => {
  const announcement = 'You are number 3 in line. Your expected wait is about four minutes.';
  const { fake, emu } = await setup(t, {
    handler: (r) =>
      r.path === '/v1/calls'
        ? { json: { call_id: 'fake-call-8', queue_id: 'sales', position: 3, greeting: 'Welcome.', announcement, expected_wait_s: 230 } }
        : undefined,
  });
  const s = emu.placeCall();
  await intake(fake);
  const said = await s.waitFor((r) => r.type === 'say' && r.text === 'Welcome. ' + announcement, WAIT, 'the greeting and the announcement');
  await s.waitFor((r) => r.type === 'heard' && r.t >= said.t, WAIT, 'the music after them');
  s.callerHangup();
  await event(fake, 'caller_abandoned');
  await ended(s);
  noErrors(s);
});

test('a question nobody answers is reported as unclear', async (t) => {
  const { fake, emu } = await setup(t, { config: { askTimeoutS: 2 } });
  const s = emu.placeCall();
  await intake(fake);
  await fake.command(s.accessURL, { type: 'ask', call_id: 'fake-call-1', text: 'Are you there?', question_id: 'q' });
  const ev = await event(fake, 'speech_answer');
  assert.equal(ev.speech_answer.verdict, 'SPEECH_VERDICT_UNCLEAR');
  assert.equal(ev.speech_answer.text, '');
  s.callerHangup();
  await ended(s);
  noErrors(s);
});

test('hangup while waiting: a goodbye, then the call ends, and nothing is reported', async (t) => {
  const { fake, emu } = await setup(t);
  const s = emu.placeCall();
  await intake(fake);
  assert.deepEqual(await fake.command(s.accessURL, { type: 'hangup', call_id: 'fake-call-1', reason: 'queue closed' }), { ok: true });
  await ended(s);
  assert.match(s.spoken().at(-1) || '', /goodbye/i);
  assert.ok(s.records.some((r) => r.type === 'hangup' && r.by === 'scenario'));
  assert.equal(fake.requests.length, 1, 'only the intake');
  // The session is gone: its accessURL answers 404, as the server expects.
  const res = await fetch(s.accessURL, { method: 'POST', body: '{}' });
  assert.equal(res.status, 404);
  noErrors(s);
});

test('a dial that arrives before the intake reply is carried out; events follow the intake', async (t) => {
  const { fake, emu } = await setup(t, { handler: (r) => (r.path === '/v1/calls' ? { delayMs: 500 } : undefined), callees: { anna: CALLEES.answer(0.2, 0.5) } });
  const s = emu.placeCall();
  await intake(fake);
  assert.deepEqual(await fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: 'o1', contact: { kind: 'user', target: 'anna' }, timeout_s: 20 }), { ok: true });
  await event(fake, 'call_ended');
  await ended(s);
  assert.deepEqual(
    fake.requests.map((r) => r.path),
    ['/v1/calls', '/v1/calls/fake-call-1/events', '/v1/calls/fake-call-1/events', '/v1/calls/fake-call-1/events'],
  );
  noErrors(s);
});

test('duplicate dials place one leg; cancel stops a ringing leg quietly; contact kinds choose the call method', async (t) => {
  const { fake, emu } = await setup(t, {
    callees: { ringer: CALLEES.noanswer(), 'sip:boris@pbx.example.com': CALLEES.busy(0.1), '+14155550100': CALLEES.decline(0.1), anna: CALLEES.answer(0.2) },
  });
  const s = emu.placeCall(); // he hangs up once the commands over the conversation were tried
  await intake(fake);
  const dial = (/** @type {string} */ offer, /** @type {string} */ kind, /** @type {string} */ target) =>
    fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: offer, contact: { kind, target }, timeout_s: 5, caller_id: '+15557654321' });
  await dial('o1', 'user', 'ringer');
  await dial('o1', 'user', 'ringer'); // delivered twice, with different webhook-ids
  assert.equal(s.legs().length, 1);
  assert.deepEqual(s.legs()[0].headers, { 'VI-CallTimeout': '10', 'X-Tandem-Call-Id': 'fake-call-1', 'X-Tandem-Offer-Id': 'o1' });
  assert.deepEqual(await fake.command(s.accessURL, { type: 'cancel', call_id: 'fake-call-1', offer_id: 'o1', reason: 'offer expired' }), { ok: true });
  await s.waitFor((r) => r.type === 'call-event' && r.event === 'Call.Failed' && r.code === 487, WAIT, 'the cancelled leg ending');

  await dial('o2', 'sip', 'sip:boris@pbx.example.com');
  assert.equal((await event(fake, 'dial_failed')).dial_failed.code, 486);
  await dial('o3', 'pstn', '+14155550100');
  await fake.waitUntil(() => fake.events('dial_failed').length === 2, WAIT, 'the second dial_failed');
  assert.equal(fake.events('dial_failed')[1].body.dial_failed.code, 603);
  assert.deepEqual(
    s.legs().map((l) => [l.kind, l.target, l.callerid]),
    [
      ['user', 'ringer', '+15557654321'],
      ['sip', 'sip:boris@pbx.example.com', '+15557654321'],
      ['pstn', '+14155550100', '+15557654321'],
    ],
  );
  assert.deepEqual(
    fake.events('dial_failed').map((r) => r.body.offer_id),
    ['o2', 'o3'],
    'the cancelled offer was not reported',
  );

  await dial('o4', 'user', 'anna');
  await event(fake, 'operator_answered');
  const late = await fake.command(s.accessURL, { type: 'cancel', call_id: 'fake-call-1', offer_id: 'o4' });
  assert.equal(late.ok, false, 'too late to cancel an answered offer');
  assert.equal((await fake.command(s.accessURL, { type: 'say', call_id: 'fake-call-1', text: 'hello' })).ok, false, 'no announcements over a conversation');
  assert.equal((await fake.command(s.accessURL, { type: 'dial', call_id: 'other-call', offer_id: 'o5', contact: { kind: 'user', target: 'x' } })).ok, false);
  s.callerHangup();
  await event(fake, 'call_ended');
  await ended(s);
  noErrors(s);
});

test('his phone ringing is reported once, before the answer; a dial that fails without ringing reports no ringing', async (t) => {
  const { fake, emu } = await setup(t, { callees: { off: CALLEES.unavailable(0.1), anna: CALLEES.answer(0.5, 0.5) } });
  const s = emu.placeCall();
  await intake(fake);
  const dial = (/** @type {string} */ offer, /** @type {string} */ target) =>
    fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: offer, contact: { kind: 'user', target }, timeout_s: 5 });
  await dial('o1', 'off');
  assert.equal((await event(fake, 'dial_failed')).dial_failed.code, 480);
  await dial('o2', 'anna');
  await event(fake, 'call_ended');
  await ended(s);
  const events = fake.requests
    .filter((r) => r.path !== '/v1/calls')
    .map((r) => [Object.keys(r.body).find((k) => !['request_id', 'occurred_at', 'offer_id'].includes(k)), r.body.offer_id]);
  assert.deepEqual(events, [
    ['dial_failed', 'o1'],
    ['operator_ringing', 'o2'],
    ['operator_answered', 'o2'],
    ['call_ended', 'o2'],
  ]);
  assert.deepEqual(fake.events('operator_ringing')[0].body.operator_ringing, {});
  noErrors(s);
});

test('requests to Tandem go one at a time, in order, even when Tandem is slow', async (t) => {
  const { fake, emu } = await setup(t, {
    handler: (r) => (r.path === '/v1/calls' ? undefined : { delayMs: 150 }),
    callees: { a: CALLEES.busy(0.05), b: CALLEES.busy(0.05), c: CALLEES.busy(0.05) },
  });
  const s = emu.placeCall();
  await intake(fake);
  for (const target of ['a', 'b', 'c']) {
    await fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: `o-${target}`, contact: { kind: 'user', target } });
    await s.waitFor((r) => r.type === 'call-event' && r.event === 'Call.Failed' && s.legs().at(-1)?.callId === r.callId, WAIT, `leg ${target} failing`);
  }
  s.callerHangup();
  await ended(s);
  assert.deepEqual(
    fake.events('dial_failed').map((r) => r.body.offer_id),
    ['o-a', 'o-b', 'o-c'],
  );
  assert.equal(fake.events('caller_abandoned').length, 1);
  assert.equal(fake.maxInFlight, 1);
  noErrors(s);
});

test('an intake Tandem refuses is not retried: apology, then the fallback number', async (t) => {
  const { fake, emu } = await setup(t, {
    handler: (r) => (r.path === '/v1/calls' ? { status: 400, json: { code: 3, message: 'dialed_number: required' } } : undefined),
    callees: { [FALLBACK_NUMBER]: CALLEES.answer(0.2) },
  });
  const s = emu.placeCall({ caller: { hangupAfterBridgeS: 0.5 } });
  await s.waitFor((r) => r.type === 'dial' && r.target === FALLBACK_NUMBER, WAIT, 'the fallback');
  await ended(s);
  assert.equal(fake.requests.length, 1);
  assert.match(s.spoken()[0], /sorry/i);
  noErrors(s);
});

test('a wrong secret: Tandem answers 401, the scenario does not retry and falls back', async (t) => {
  const { fake, emu } = await setup(t, { config: { secret: 'not-the-secret', fallbackNumber: '' } });
  const s = emu.placeCall();
  await ended(s);
  assert.equal(fake.badSignatures, 1);
  assert.deepEqual(s.spoken().length, 2, 'apology and goodbye');
  noErrors(s);
});

test('the caller leaves while the intake is retried: once Tandem answers, the abandonment is reported', async (t) => {
  let down = true;
  const { fake, emu } = await setup(t, { handler: (r) => (r.path === '/v1/calls' && down ? { status: 503, json: { code: 14, message: 'unavailable' } } : undefined) });
  const s = emu.placeCall();
  await intake(fake);
  s.callerHangup();
  await s.waitFor((r) => r.type === 'call-event' && r.event === 'Call.Disconnected', WAIT, 'the hangup');
  down = false;
  const ev = await event(fake, 'caller_abandoned');
  assert.ok(ev.caller_abandoned.wait_time_ms >= 0);
  await ended(s);
  const ids = new Set(fake.requests.filter((r) => r.path === '/v1/calls').map((r) => r.body.request_id));
  assert.equal(ids.size, 1, 'every intake attempt carried the same request id');
  assert.equal(s.legs().length, 0);
  noErrors(s);
});

test('hold music that cannot be played: the caller hears speech instead of silence', async (t) => {
  const { fake, emu } = await setup(t, { emulator: { brokenMedia: (url) => url.includes('hold') } });
  const s = emu.placeCall();
  await intake(fake);
  await s.waitFor((r) => r.type === 'say' && /stay on the line/i.test(r.text), WAIT, 'speech instead of music');
  s.callerHangup();
  await ended(s);
  noErrors(s);
});

test('configuration: key-value storage, then the secret, then session custom data; non-ASCII bodies are signed as sent', async (t) => {
  const fake = await new FakeTandem().listen();
  const emu = new Emulator({
    timeScale: 10,
    storage: { 'tandem.config': JSON.stringify({ backendUrl: 'http://127.0.0.1:9/wrong', holdMusicUrl: 'https://storage.example.com/a.mp3', voice: 'Google.en_US_Neural2_C' }) },
    secrets: { tandem_config: JSON.stringify({ backendUrl: fake.url, secret: SECRET, unknownKey: 1, askTimeoutS: 'soon' }) },
  });
  await emu.start();
  t.after(async () => {
    await emu.close();
    await fake.close();
  });
  const s = emu.placeCall({ displayName: 'Жанна Öberg', sessionCustomData: '{"holdMusicUrl":"https://session.example.com/b.mp3"}' });
  await intake(fake);
  const r = fake.requests[0];
  assert.equal(r.body.display_name, 'Жанна Öberg');
  assert.match(r.raw, /\\u0416/, 'escaped on the wire');
  assert.ok(/^[\x00-\x7f]*$/.test(r.raw), 'ASCII only');
  await s.waitFor((x) => x.type === 'heard' && x.url === 'https://session.example.com/b.mp3', WAIT, 'the session’s music');
  const logs = s.logs().join('\n');
  assert.match(logs, /unknown setting unknownKey/);
  assert.match(logs, /askTimeoutS has the wrong type/);
  await fake.command(s.accessURL, { type: 'say', call_id: 'fake-call-1', text: 'Bitte warten Sie – Ihr Platz: 2.' });
  const said = await s.waitFor((x) => x.type === 'say', WAIT, 'the announcement');
  assert.equal(said.voice, 'VoiceList.Google.en_US_Neural2_C');
  s.callerHangup();
  await ended(s);
  noErrors(s);
});

test('a caller who waited longer than maxWaitS is told so and sent to the fallback', async (t) => {
  const { fake, emu } = await setup(t, { config: { maxWaitS: 3 }, callees: { [FALLBACK_NUMBER]: CALLEES.answer(0.2) } });
  const s = emu.placeCall({ caller: { hangupAfterBridgeS: 0.5 } });
  const ev = await event(fake, 'call_ended');
  assert.equal(ev.call_ended.hung_up_by, 'HANGUP_PARTY_SYSTEM');
  await s.waitFor((r) => r.type === 'dial' && r.target === FALLBACK_NUMBER, WAIT, 'the fallback');
  await ended(s);
  noErrors(s);
});

/** @param {Record<string, unknown>} extra fields of the intake reply @returns {FakeHandler} */
function recordingQueue(extra) {
  return (r) => (r.path === '/v1/calls' ? { json: Object.assign({ call_id: 'fake-call-1', queue_id: 'sales', position: 1 }, extra) } : undefined);
}

/** @param {Session} s @param {string} type */
function recordsOf(s, type) {
  return s.records.filter((r) => r.type === type);
}

test('a recording queue: the notice before the greeting, the conversation recorded from the answer, its URL reported once', async (t) => {
  const { fake, emu } = await setup(t, {
    handler: recordingQueue({ greeting: 'Welcome.', record: true, recording_notice: 'This call is recorded.' }),
    callees: { anna: CALLEES.answer(0.3, 1) },
  });
  const s = emu.placeCall();
  await intake(fake);
  const greeted = await s.waitFor((r) => r.type === 'say' && r.text === 'Welcome.', WAIT, 'the greeting');
  const notice = /** @type {import('../emulator/voxengine.js').Rec} */ (s.records.find((r) => r.type === 'say' && r.text === 'This call is recorded.'));
  assert.ok(notice && notice.t <= greeted.t && notice.toCaller, 'the notice was said to the caller before the greeting');
  assert.equal(recordsOf(s, 'record').length, 0, 'nothing recorded while the caller waits');

  await fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: 'o1', contact: { kind: 'user', target: 'anna' }, timeout_s: 20 });
  const ev = await event(fake, 'recording_started');
  const records = recordsOf(s, 'record');
  assert.equal(records.length, 1, 'one record');
  assert.equal(records[0].callId, s.caller && s.caller.id(), 'the caller\'s call is recorded (both directions)');
  assert.equal(ev.recording_started.url, records[0].url, 'the URL of RecordStarted is reported');
  assert.match(ev.recording_started.url, /^https:\/\//);
  assert.equal(ev.offer_id, undefined);
  const answered = fake.events('operator_answered')[0];
  assert.ok(answered.at <= fake.events('recording_started')[0].at, 'recorded after the answer');

  await event(fake, 'call_ended');
  await ended(s);
  assert.equal(fake.events('recording_started').length, 1, 'reported once');
  noErrors(s);
});

test('a queue that does not record: no notice, no record, no recording_started', async (t) => {
  const { fake, emu } = await setup(t, { handler: recordingQueue({ recording_notice: 'ignored without record' }), callees: { anna: CALLEES.answer(0.3, 0.5) } });
  const s = emu.placeCall();
  await intake(fake);
  await fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: 'o1', contact: { kind: 'user', target: 'anna' }, timeout_s: 20 });
  await event(fake, 'call_ended');
  await ended(s);
  assert.deepEqual(recordsOf(s, 'record'), []);
  assert.deepEqual(fake.events('recording_started'), []);
  assert.ok(!s.spoken().includes('ignored without record'));
  noErrors(s);
});

test('an operator who answers while the notice plays: the caller hears it to its end, then the operator, and the call is recorded', async (t) => {
  const long = 'This call may be recorded for quality and training. '.repeat(4);
  const { fake, emu } = await setup(t, { handler: recordingQueue({ record: true, recording_notice: long }), callees: { anna: CALLEES.answer(0.2) } });
  const s = emu.placeCall({ caller: { hangupAfterBridgeS: 0.5 } });
  await intake(fake);
  const notice = await s.waitFor((r) => r.type === 'say' && r.text === long, WAIT, 'the notice');
  await fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: 'o1', contact: { kind: 'user', target: 'anna' }, timeout_s: 20 });
  const answered = await event(fake, 'operator_answered');
  assert.equal(answered.offer_id, 'o1', 'the answer is reported at once');
  // Held while the notice plays: nothing to hold yet.
  const held = await fake.command(s.accessURL, { type: 'hold', call_id: 'fake-call-1' });
  assert.equal(held.ok, false, JSON.stringify(held));
  const started = await event(fake, 'recording_started');
  const heard = s.records.filter((r) => r.type === 'heard' && r.t >= notice.t).map((r) => r.what);
  assert.deepEqual(heard.slice(0, 3), ['speech', 'silence', 'call'], 'the whole notice, then the operator');
  const bridged = /** @type {import('../emulator/voxengine.js').Rec} */ (s.records.find((r) => r.type === 'heard' && r.what === 'call'));
  const rec = recordsOf(s, 'record');
  assert.equal(rec.length, 1, 'recorded');
  assert.ok(rec[0].t >= bridged.t, 'recorded from the bridge');
  assert.equal(started.recording_started.url, rec[0].url);
  assert.match(s.logs().join('\n'), /answered during the recording notice: bridging after it/);
  await event(fake, 'call_ended');
  await ended(s);
  noErrors(s);
});

test('hold: the caller hears the queue\'s music and the operator silence; a second hold changes nothing; resume puts them back in talk', async (t) => {
  const { fake, emu } = await setup(t, { callees: { anna: CALLEES.answer(0.3) } });
  const s = emu.placeCall();
  await intake(fake);
  const waiting = await s.waitFor((r) => r.type === 'heard' && r.what === 'music', WAIT, 'the music while waiting');
  assert.deepEqual(await fake.command(s.accessURL, { type: 'hold', call_id: 'fake-call-1', music_url: 'https://media.example.com/queue-hold.mp3' }), {
    ok: false,
    error: 'hold: no operator is talking to the caller',
  });
  await fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: 'o1', contact: { kind: 'user', target: 'anna' }, timeout_s: 20 });
  await event(fake, 'operator_answered');
  const bridged = await s.waitFor((r) => r.type === 'heard' && r.what === 'call', WAIT, 'the caller hears anna');
  const leg = /** @type {string} */ (s.records.find((r) => r.type === 'leg-heard' && r.what === 'call')?.callId);
  assert.ok(leg, 'anna hears the caller');

  assert.deepEqual(await fake.command(s.accessURL, { type: 'hold', call_id: 'fake-call-1', music_url: 'https://media.example.com/queue-hold.mp3' }), { ok: true });
  const music = await s.waitFor((r) => r.type === 'heard' && r.url === 'https://media.example.com/queue-hold.mp3' && r.t >= bridged.t, WAIT, 'the hold music');
  assert.ok(s.records.some((r) => r.type === 'leg-heard' && r.callId === leg && r.what === 'silence'), 'anna hears silence on hold');
  const heardBefore = s.records.filter((r) => r.type === 'heard' || r.type === 'leg-heard').length;
  assert.deepEqual(await fake.command(s.accessURL, { type: 'hold', call_id: 'fake-call-1', music_url: 'https://media.example.com/other.mp3' }), { ok: true });
  assert.equal(s.records.filter((r) => r.type === 'heard' || r.type === 'leg-heard').length, heardBefore, 'a second hold changes nothing');

  assert.deepEqual(await fake.command(s.accessURL, { type: 'resume', call_id: 'fake-call-1' }), { ok: true });
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.t >= music.t, WAIT, 'the caller hears anna again');
  await s.waitFor((r) => r.type === 'leg-heard' && r.callId === leg && r.what === 'call' && r.t >= music.t, WAIT, 'anna hears the caller again');
  assert.deepEqual(await fake.command(s.accessURL, { type: 'resume', call_id: 'fake-call-1' }), { ok: true });

  // Without a music_url the caller hears the scenario's own music.
  assert.deepEqual(await fake.command(s.accessURL, { type: 'hold', call_id: 'fake-call-1' }), { ok: true });
  await s.waitFor((r) => r.type === 'heard' && r.what === 'music' && r.url === waiting.url && r.t > music.t, WAIT, 'the music he heard while waiting');
  s.callerHangup();
  await event(fake, 'call_ended');
  await ended(s);
  noErrors(s);
});

/** The first event of kind about offer. @param {FakeTandem} fake @param {string} kind @param {string} offer */
async function eventFor(fake, kind, offer) {
  const found = await fake.waitUntil((rs) => rs.some((r) => r.body[kind] !== undefined && r.body.offer_id === offer), WAIT, `${kind} of ${offer}`);
  void found;
  return /** @type {any} */ (fake.events(kind).find((r) => r.body.offer_id === offer)).body;
}

/** A call anna answered (offer o1): the session, and when the caller began to hear her. @param {FakeTandem} fake @param {Emulator} emu */
async function annaTalks(fake, emu) {
  const s = emu.placeCall();
  await intake(fake);
  await fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: 'o1', contact: { kind: 'user', target: 'anna' }, timeout_s: 20 });
  await eventFor(fake, 'operator_answered', 'o1');
  const bridged = await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'anna', WAIT, 'the caller hears anna');
  return { s, bridged };
}

test('warm transfer: the caller hears music while anna consults boris; complete bridges the caller with boris and ends anna\'s leg', async (t) => {
  const { fake, emu } = await setup(t, { callees: { anna: CALLEES.answer(0.3), boris: CALLEES.answer(0.5) } });
  const { s, bridged } = await annaTalks(fake, emu);
  const warm = { type: 'transfer', call_id: 'fake-call-1', mode: 'warm', offer_id: 'o2', contact: { kind: 'user', target: 'boris' }, timeout_s: 20, music_url: 'https://media.example.com/consult.mp3' };
  assert.deepEqual(await fake.command(s.accessURL, warm), { ok: true });
  assert.deepEqual(await fake.command(s.accessURL, warm), { ok: true }, 'a second delivery places no second leg');
  const music = await s.waitFor((r) => r.type === 'heard' && r.url === 'https://media.example.com/consult.mp3' && r.t >= bridged.t, WAIT, 'music during the consult');
  const answered = await eventFor(fake, 'operator_answered', 'o2');
  assert.ok(answered.operator_answered.ring_time_ms > 0);
  const annaLeg = /** @type {string} */ (s.legs().find((l) => l.target === 'anna')?.callId);
  await s.waitFor((r) => r.type === 'leg-heard' && r.callId === annaLeg && r.what === 'call' && r.from === 'boris', WAIT, 'anna hears boris');
  assert.equal(s.legs().length, 2);
  assert.ok(!s.records.some((r) => r.type === 'heard' && r.t > music.t), 'the caller hears only the music while they consult');

  assert.deepEqual(await fake.command(s.accessURL, { type: 'complete_transfer', call_id: 'fake-call-1', offer_id: 'o2' }), { ok: true });
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'boris', WAIT, 'the caller hears boris');
  await s.waitFor((r) => r.type === 'hangup' && r.callId === annaLeg && r.by === 'scenario', WAIT, 'anna\'s leg ends');
  s.callerHangup();
  const end = await eventFor(fake, 'call_ended', 'o2');
  assert.equal(end.call_ended.hung_up_by, 'HANGUP_PARTY_CALLER');
  await ended(s);
  assert.deepEqual(
    fake.events('call_ended').map((r) => r.body.offer_id),
    ['o2'],
    'anna\'s leg ending is not reported: Tandem put her in wrap-up',
  );
  noErrors(s);
});

test('warm transfer cancelled: boris\'s leg is hung up and the caller is back with anna; one the target does not answer too', async (t) => {
  const { fake, emu } = await setup(t, { callees: { anna: CALLEES.answer(0.3), boris: CALLEES.answer(0.3), ringer: CALLEES.noanswer() } });
  const { s } = await annaTalks(fake, emu);
  assert.deepEqual(await fake.command(s.accessURL, { type: 'transfer', call_id: 'fake-call-1', mode: 'warm', offer_id: 'o2', contact: { kind: 'user', target: 'boris' } }), { ok: true });
  await eventFor(fake, 'operator_answered', 'o2');
  const borisLeg = /** @type {string} */ (s.legs().find((l) => l.target === 'boris')?.callId);
  const music = await s.waitFor((r) => r.type === 'heard' && r.what === 'music', WAIT, 'music during the consult');
  assert.deepEqual(await fake.command(s.accessURL, { type: 'cancel_transfer', call_id: 'fake-call-1', offer_id: 'o2', reason: 'cancelled by anna' }), { ok: true });
  await s.waitFor((r) => r.type === 'hangup' && r.callId === borisLeg, WAIT, 'boris\'s leg ends');
  const back = await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'anna' && r.t >= music.t, WAIT, 'the caller hears anna again');
  assert.deepEqual(await fake.command(s.accessURL, { type: 'complete_transfer', call_id: 'fake-call-1', offer_id: 'o2' }), {
    ok: false,
    error: 'complete_transfer: no transfer to o2 in progress',
  });

  // A target who never answers: the scenario's ring timeout, reported as 408; anna has the caller again.
  assert.deepEqual(await fake.command(s.accessURL, { type: 'transfer', call_id: 'fake-call-1', mode: 'warm', offer_id: 'o3', contact: { kind: 'user', target: 'ringer' }, timeout_s: 2 }), { ok: true });
  const failed = await eventFor(fake, 'dial_failed', 'o3');
  assert.equal(failed.dial_failed.code, 408);
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'anna' && r.t > back.t, WAIT, 'the caller hears anna after the failed transfer');
  s.callerHangup();
  await eventFor(fake, 'call_ended', 'o1');
  await ended(s);
  assert.deepEqual(fake.events('dial_failed').map((r) => r.body.offer_id), ['o3'], 'a cancelled consult is not reported');
  noErrors(s);
});

test('anna hangs up during her warm transfer: consulting, the caller is handed to boris; while the target rings, his leg is hung up and the caller waits in line', async (t) => {
  const { fake, emu } = await setup(t, { callees: { anna: CALLEES.answer(0.3, 2), boris: CALLEES.answer(0.3), ringer: CALLEES.noanswer(), vera: CALLEES.answer(0.3) } });
  const { s, bridged } = await annaTalks(fake, emu);
  assert.deepEqual(await fake.command(s.accessURL, { type: 'transfer', call_id: 'fake-call-1', mode: 'warm', offer_id: 'o2', contact: { kind: 'user', target: 'boris' } }), { ok: true });
  await eventFor(fake, 'operator_answered', 'o2');
  const left = await eventFor(fake, 'call_ended', 'o1');
  assert.equal(left.call_ended.hung_up_by, 'HANGUP_PARTY_OPERATOR');
  const handed = await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'boris' && r.t > bridged.t, WAIT, 'the caller hears boris');
  assert.ok(!s.records.some((r) => r.type === 'hangup' && r.by === 'scenario'), 'nobody is hung up: the call goes on with boris');
  // Boris, now the call's operator, transfers warm to a phone that only rings, and hangs up.
  assert.deepEqual(await fake.command(s.accessURL, { type: 'transfer', call_id: 'fake-call-1', mode: 'warm', offer_id: 'o3', contact: { kind: 'user', target: 'ringer' }, timeout_s: 20 }), { ok: true });
  const borisLeg = /** @type {string} */ (s.legs().find((l) => l.target === 'boris')?.callId);
  const ringerLeg = /** @type {string} */ (s.legs().find((l) => l.target === 'ringer')?.callId);
  s.hangupLeg(borisLeg);
  const gone = await eventFor(fake, 'call_ended', 'o2');
  assert.equal(gone.call_ended.hung_up_by, 'HANGUP_PARTY_OPERATOR');
  await s.waitFor((r) => r.type === 'hangup' && r.callId === ringerLeg && r.by === 'scenario', WAIT, 'the ringing leg is hung up');
  const waiting = await s.waitFor((r) => r.type === 'heard' && r.what === 'music' && r.t > handed.t, WAIT, 'music in line again');
  assert.deepEqual(await fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: 'o4', contact: { kind: 'user', target: 'vera' } }), { ok: true });
  await eventFor(fake, 'operator_answered', 'o4');
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'vera' && r.t >= waiting.t, WAIT, 'the caller hears vera');
  s.callerHangup();
  await eventFor(fake, 'call_ended', 'o4');
  await ended(s);
  assert.deepEqual(fake.events('dial_failed').map((r) => r.body.offer_id), [], 'the ringing leg hung up is not reported');
  noErrors(s);
});

test('blind transfer: anna\'s leg ends at once, the caller hears the target queue\'s music, the target is dialed and bridged; without a contact the caller waits for the next dial', async (t) => {
  const { fake, emu } = await setup(t, { callees: { anna: CALLEES.answer(0.3), boris: CALLEES.answer(0.5), vera: CALLEES.answer(0.3) } });
  const { s, bridged } = await annaTalks(fake, emu);
  assert.deepEqual(await fake.command(s.accessURL, { type: 'transfer', call_id: 'fake-call-1', mode: 'warm' }), { ok: false, error: 'a warm transfer needs a contact' });
  assert.deepEqual(
    await fake.command(s.accessURL, { type: 'transfer', call_id: 'fake-call-1', mode: 'blind', offer_id: 'o2', contact: { kind: 'user', target: 'boris' }, music_url: 'https://media.example.com/sales.mp3' }),
    { ok: true },
  );
  const annaLeg = /** @type {string} */ (s.legs().find((l) => l.target === 'anna')?.callId);
  await s.waitFor((r) => r.type === 'hangup' && r.callId === annaLeg && r.by === 'scenario', WAIT, 'anna\'s leg ends');
  const music = await s.waitFor((r) => r.type === 'heard' && r.url === 'https://media.example.com/sales.mp3' && r.t >= bridged.t, WAIT, 'the queue\'s music');
  await eventFor(fake, 'operator_answered', 'o2');
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'boris' && r.t >= music.t, WAIT, 'the caller hears boris');

  // Blind to a queue: no contact; the caller waits for Tandem's dial.
  assert.deepEqual(await fake.command(s.accessURL, { type: 'transfer', call_id: 'fake-call-1', mode: 'blind' }), { ok: true });
  const waiting = await s.waitFor((r) => r.type === 'heard' && r.what === 'music' && r.t > music.t, WAIT, 'music in line again');
  assert.deepEqual(await fake.command(s.accessURL, { type: 'dial', call_id: 'fake-call-1', offer_id: 'o3', contact: { kind: 'user', target: 'vera' } }), { ok: true });
  await eventFor(fake, 'operator_answered', 'o3');
  await s.waitFor((r) => r.type === 'heard' && r.what === 'call' && r.from === 'vera' && r.t >= waiting.t, WAIT, 'the caller hears vera');
  s.callerHangup();
  await eventFor(fake, 'call_ended', 'o3');
  await ended(s);
  assert.deepEqual(fake.events('call_ended').map((r) => r.body.offer_id), ['o3'], 'the legs the transfers ended are not reported');
  noErrors(s);
});

test('a transfer with nobody talking to the caller is refused', async (t) => {
  const { fake, emu } = await setup(t);
  const s = emu.placeCall();
  await intake(fake);
  assert.deepEqual(await fake.command(s.accessURL, { type: 'transfer', call_id: 'fake-call-1', mode: 'blind', offer_id: 'o2', contact: { kind: 'user', target: 'boris' } }), {
    ok: false,
    error: 'transfer: no operator is talking to the caller',
  });
  assert.deepEqual(await fake.command(s.accessURL, { type: 'transfer', call_id: 'fake-call-1', mode: 'sideways' }), { ok: false, error: 'transfer needs mode blind or warm' });
  s.callerHangup();
  await ended(s);
  noErrors(s);
});

test('offer_callback: the caller presses the digit over the music; callback_answer accepted; the reply\'s hangup says the confirmation', async (t) => {
  const confirmation = 'Thank you. We will call you back at +15557654321 when your turn comes. Goodbye.';
  const { fake, emu } = await setup(t, {
    handler: (r) => (r.body && r.body.callback_answer ? { json: { next: { type: 'hangup', call_id: 'fake-call-1', text: confirmation } } } : undefined),
  });
  const s = emu.placeCall({ caller: { tones: [{ tone: '1', atS: 5 }] } });
  await intake(fake);
  const reply = await fake.command(s.accessURL, { type: 'offer_callback', call_id: 'fake-call-1', text: 'Press 1 to be called back.', digit: '1', words: ['call me back'] });
  assert.deepEqual(reply, { ok: true });
  const ev = await event(fake, 'callback_answer');
  assert.deepEqual(ev.callback_answer, { accepted: true });
  assert.ok(s.records.some((r) => r.type === 'handle-tones' && r.on === true), 'the scenario handles tones');
  await s.waitFor((r) => r.type === 'say' && r.text === confirmation, WAIT, 'the confirmation');
  await ended(s);
  assert.equal(fake.events('caller_abandoned').length, 0, 'a caller Tandem let go is no abandon');
  noErrors(s);
});

test('offer_callback: said "call me back" with a withheld number, he keys his in and ends with #', async (t) => {
  const { fake, emu } = await setup(t, { config: { askTimeoutS: 10 } });
  const digits = '4155550123#'.split('').map((tone, i) => ({ tone, atS: 12 + i / 2 }));
  const s = emu.placeCall({ caller: { answers: [{ text: 'Please call me back', confidence: 0.9 }], tones: digits } });
  await intake(fake);
  await fake.command(s.accessURL, { type: 'offer_callback', call_id: 'fake-call-1', text: 'Say call me back.', digit: '1', words: ['call me back'], ask_number: true });
  await s.waitFor((r) => r.type === 'say' && /key in your phone number/.test(String(r.text)), WAIT, 'the number prompt');
  const ev = await event(fake, 'callback_answer');
  assert.deepEqual(ev.callback_answer, { accepted: true, number: '+4155550123' });
  s.callerHangup();
  await ended(s);
  noErrors(s);
});

test('offer_callback: silence is a no; he waits on', async (t) => {
  const { fake, emu } = await setup(t, { config: { askTimeoutS: 2 } });
  const s = emu.placeCall();
  await intake(fake);
  await fake.command(s.accessURL, { type: 'offer_callback', call_id: 'fake-call-1', text: 'Press 1 to be called back.', digit: '1', words: ['call me back'] });
  const ev = await event(fake, 'callback_answer');
  assert.deepEqual(ev.callback_answer, { accepted: false });
  assert.ok(!s.records.some((r) => r.type === 'hangup' && r.by === 'scenario'), 'the caller waits on');
  s.callerHangup();
  await event(fake, 'caller_abandoned');
  await ended(s);
  noErrors(s);
});

test('voicemail (the intake reply\'s next): the prompt, the caller recorded until he hangs up, voicemail_recorded once, no abandon', async (t) => {
  const { fake, emu } = await setup(t, {
    handler: (r) =>
      r.path === '/v1/calls' ? { json: { call_id: 'fake-call-1', queue_id: 'support', next: { type: 'voicemail', call_id: 'fake-call-1', text: 'Please leave a message.', timeout_s: 60 } } } : undefined,
  });
  const s = emu.placeCall({ caller: { hangupAfterS: 40 } });
  await intake(fake);
  const said = await s.waitFor((r) => r.type === 'say' && r.text === 'Please leave a message.', WAIT, 'the prompt');
  await s.waitFor((r) => r.type === 'call-event' && r.event === 'Call.RecordStarted' && r.t >= said.t, WAIT, 'the record');
  const ev = await event(fake, 'voicemail_recorded');
  assert.match(ev.voicemail_recorded.url, /^https:\/\//);
  assert.ok(ev.voicemail_recorded.length_ms > 0, JSON.stringify(ev));
  await ended(s);
  assert.equal(fake.events('voicemail_recorded').length, 1);
  assert.equal(fake.events('caller_abandoned').length, 0);
  noErrors(s);
});

test('voicemail: a message is cut at timeout_s; the scenario hangs up and reports it', async (t) => {
  // Real time: the record's duration is the wall clock's, as VoxEngine's (the emulator scales
  // only timers and scripted parties).
  const { fake, emu } = await setup(t, { emulator: { timeScale: 1 } });
  const s = emu.placeCall();
  await intake(fake);
  await fake.command(s.accessURL, { type: 'voicemail', call_id: 'fake-call-1', text: 'Leave a message.', timeout_s: 2 });
  const ev = await event(fake, 'voicemail_recorded');
  assert.ok(ev.voicemail_recorded.length_ms >= 1000 && ev.voicemail_recorded.length_ms <= 3000, JSON.stringify(ev));
  assert.ok(s.records.some((r) => r.type === 'hangup' && r.by === 'scenario'), 'the scenario ended the call');
  await ended(s);
  noErrors(s);
});
