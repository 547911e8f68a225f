// @ts-check
'use strict';
/**
 * IVR menus end to end: the real tandem binary with a menu on the support line, the real
 * scenario in the emulator, callers who press keys, speak, stay silent or hang up.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { CALLEES } = require('../emulator/voxengine.js');
const { OperatorState, CallState } = require('../emulator/operators.js');
const { World, reported, tandemBinary, SUPPORT_LINE, WAIT } = require('./harness.js');

/** @typedef {import('../emulator/voxengine.js').Session} Session */

before(() => {
  tandemBinary();
});

const START = 'Press 1 or say support for support, 2 or say sales for sales, 3 for more, 4 to leave a message.';

/** @param {string} q */
const toQueue = (q) => ({ to: { case: /** @type {const} */ ('queueId'), value: q } });
/** @param {string} n */
const toNode = (n) => ({ to: { case: /** @type {const} */ ('nodeId'), value: n } });
/** @param {string} q */
const toVoicemail = (q) => ({ to: { case: /** @type {const} */ ('voicemailQueueId'), value: q } });

/**
 * The support line's menu: 1/"support" → support, 2/"sales" → sales, 3 → a sub-menu (a
 * recording) whose 1 or "billing" → sales, 4 → support's voicemail; silence or a wrong answer repeats the prompt once,
 * then support.
 */
const MENU = {
  menuId: 'main',
  name: 'Main line',
  dialedNumbers: [SUPPORT_LINE],
  nodes: [
    {
      nodeId: 'start',
      promptText: START,
      timeoutS: 2,
      repeats: 1,
      choices: [
        { digit: '1', words: ['support'], action: toQueue('support') },
        { digit: '2', words: ['sales'], action: toQueue('sales') },
        { digit: '3', action: toNode('more') },
        { digit: '4', action: toVoicemail('support') },
      ],
      defaultAction: toQueue('support'),
    },
    {
      nodeId: 'more',
      promptUrl: 'https://media.example.com/more.mp3',
      timeoutS: 2,
      choices: [{ digit: '1', words: ['billing'], action: toQueue('sales') }],
      defaultAction: toQueue('support'),
    },
  ],
};

/** A world with support (anna) and sales (boris), the menu on the support line. */
async function menuWorld() {
  const w = await World.create();
  await w.setup(['anna']);
  await w.tandem.createQueue({ queueId: 'sales', offerTimeoutS: 5, wrapUpS: 0 });
  await w.tandem.createOperator({ name: 'boris', password: 'password-boris', queues: ['sales'] });
  await w.tandem.putMenu(MENU);
  const anna = await w.logIn('anna');
  const boris = await w.logIn('boris');
  await anna.ready();
  await boris.ready();
  w.callees.set('anna', CALLEES.answer(0.3, 1));
  w.callees.set('boris', CALLEES.answer(0.3, 1));
  return { w, anna, boris };
}

/** Tandem's call id and the menu of the intake reply. @param {Session} s */
async function intakeOf(s) {
  const rec = await s.waitFor((r) => r.type === 'http-out' && r.code === 200 && new URL(r.url).pathname === '/v1/calls', WAIT, 'intake reply');
  const reply = JSON.parse(rec.text);
  return { callId: String(reply.call_id), reply };
}

/** @param {Session} s */
async function ended(s) {
  await s.waitFor((r) => r.type === 'terminated', WAIT, 'end of the session');
}

/** @param {Session} s */
function noErrors(s) {
  assert.deepEqual(s.errors, [], `scenario errors:\n${s.dump(40)}`);
}

test('menu: a key to a queue, answered by its operator', async (t) => {
  const { w, anna } = await menuWorld();
  t.after(() => w.close());
  const s = w.call({ caller: { tones: [{ tone: '1', atS: 1 }] } });
  const { callId, reply } = await intakeOf(s);
  assert.equal(reply.menu.menu_id, 'main');
  assert.equal(reply.queue_id, undefined, 'in no queue while in the menu');
  const chosen = await reported(s, 'menu_chosen');
  assert.deepEqual(chosen.menu_chosen, { path: [{ node_id: 'start', digit: '1' }], action: { queue_id: 'support' } });
  const onCall = await anna.awaitState(OperatorState.ON_CALL, WAIT);
  assert.equal(onCall.callId, callId);
  await reported(s, 'call_ended');
  await ended(s);
  assert.ok(s.records.some((r) => r.type === 'handle-tones' && r.on === true), 'the scenario handles tones');
  assert.equal(s.spoken()[0], START);
  const call = await w.tandem.getCall(callId);
  assert.equal(call?.state, CallState.ENDED);
  assert.equal(call?.queueId, 'support');
  noErrors(s);
});

test('menu: a spoken choice', async (t) => {
  const { w, boris } = await menuWorld();
  t.after(() => w.close());
  const s = w.call({ caller: { answers: [{ text: 'Sales, please' }] } });
  const { callId } = await intakeOf(s);
  const chosen = await reported(s, 'menu_chosen');
  assert.deepEqual(chosen.menu_chosen, { path: [{ node_id: 'start', words: 'Sales, please' }], action: { queue_id: 'sales' } });
  const onCall = await boris.awaitState(OperatorState.ON_CALL, WAIT);
  assert.equal(onCall.callId, callId);
  await ended(s);
  assert.ok(s.records.some((r) => r.type === 'asr'), 'the caller was listened to');
  noErrors(s);
});

test('menu: silence repeats the prompt, then the default', async (t) => {
  const { w, anna } = await menuWorld();
  t.after(() => w.close());
  const s = w.call();
  const { callId } = await intakeOf(s);
  const chosen = await reported(s, 'menu_chosen');
  assert.deepEqual(chosen.menu_chosen, { path: [{ node_id: 'start', timed_out: true }], action: { queue_id: 'support' } });
  assert.deepEqual(
    s.spoken().filter((x) => x === START),
    [START, START],
    'the prompt, once more after the silence',
  );
  const onCall = await anna.awaitState(OperatorState.ON_CALL, WAIT);
  assert.equal(onCall.callId, callId);
  await ended(s);
  noErrors(s);
});

test('menu: a wrong key repeats the prompt; a sub-menu played from a recording leads to sales', async (t) => {
  const { w, boris } = await menuWorld();
  t.after(() => w.close());
  const s = w.call({
    caller: {
      tones: [
        { tone: '9', atS: 0.8 },
        { tone: '3', atS: 2.2 },
        { tone: '1', atS: 3.2 },
      ],
    },
  });
  const { callId } = await intakeOf(s);
  const chosen = await reported(s, 'menu_chosen');
  assert.deepEqual(chosen.menu_chosen, {
    path: [
      { node_id: 'start', digit: '3' },
      { node_id: 'more', digit: '1' },
    ],
    action: { queue_id: 'sales' },
  });
  assert.ok(
    s.records.some((r) => r.type === 'tone-in' && r.tone === '9' && r.handled),
    'the wrong key reached the scenario',
  );
  assert.equal(s.spoken().filter((x) => x === START).length, 2, 'the prompt again after the wrong key');
  assert.ok(
    s.heard().some((h) => h.what === 'music' && h.url === 'https://media.example.com/more.mp3'),
    'the sub-menu prompt was played',
  );
  const onCall = await boris.awaitState(OperatorState.ON_CALL, WAIT);
  assert.equal(onCall.callId, callId);
  await ended(s);
  noErrors(s);
});

test('menu: a caller who hangs up in the menu is not abandoned in a queue', async (t) => {
  const { w, anna } = await menuWorld();
  t.after(() => w.close());
  const s = w.call({ caller: { tones: [{ tone: '3', atS: 0.8 }], hangupAfterS: 2 } });
  const { callId } = await intakeOf(s);
  const chosen = await reported(s, 'menu_chosen');
  assert.deepEqual(chosen.menu_chosen, { path: [{ node_id: 'start', digit: '3' }, { node_id: 'more' }] });
  await ended(s);
  const call = await w.tandem.getCall(callId);
  assert.equal(call?.state, CallState.ABANDONED);
  assert.equal(call?.queueId, '');
  assert.equal(anna.seen.filter((st) => st.state === OperatorState.RESERVED).length, 0, 'nobody was offered the call');
  noErrors(s);
});

test('menu: a key to a queue\'s voicemail records the message for that queue; nobody is offered the call', async (t) => {
  const { w, anna } = await menuWorld();
  t.after(() => w.close());
  const s = w.call({ caller: { tones: [{ tone: '4', atS: 1 }], hangupAfterS: 10 } }); // the prompt takes about 5 s
  const { callId } = await intakeOf(s);
  const chosen = await reported(s, 'menu_chosen');
  assert.deepEqual(chosen.menu_chosen, { path: [{ node_id: 'start', digit: '4' }], action: { voicemail_queue_id: 'support' } });
  await s.waitFor((r) => r.type === 'say' && /leave your message/.test(String(r.text)), WAIT, 'the voicemail prompt');
  const recorded = await reported(s, 'voicemail_recorded');
  assert.match(String(recorded.voicemail_recorded.url), /^https:\/\//);
  await ended(s);
  const call = await w.tandem.getCall(callId);
  assert.equal(call?.state, CallState.ENDED);
  assert.equal(call?.queueId, 'support', 'the message is support\'s');
  assert.equal(call?.voicemailUrl, recorded.voicemail_recorded.url);
  assert.ok((call?.voicemailLengthMs || 0) > 0);
  assert.equal(anna.seen.filter((st) => st.state === OperatorState.RESERVED).length, 0, 'nobody was offered the call');
  noErrors(s);
});
