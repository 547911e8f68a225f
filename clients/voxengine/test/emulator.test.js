// @ts-check
'use strict';
/**
 * The emulator itself against the rules VOXENGINE.md lists for an emulator: event order and
 * asynchrony, Net limits and codes, call-leg outcomes, terminate, the 60 s rule, the accessURL.
 * Each test runs a small scenario of its own.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { Emulator, CALLEES } = require('../emulator/voxengine.js');
const { WAIT } = require('./harness.js');

/**
 * Runs a scenario given as source text.
 * @param {import('node:test').TestContext} t @param {string} source
 * @param {import('../emulator/voxengine.js').EmulatorOptions} [opts]
 */
async function emulate(t, source, opts = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vox-'));
  const file = path.join(dir, 'scenario.js');
  fs.writeFileSync(file, source);
  const emu = new Emulator(Object.assign({ scenarios: [file], timeScale: 10 }, opts));
  await emu.start();
  t.after(async () => {
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return emu;
}

/** @param {import('../emulator/voxengine.js').Session} s */
const logs = (s) => s.logs();

test('Started comes first, then CallAlerting; answer() gives Connected on a later tick', async (t) => {
  const emu = await emulate(
    t,
    `VoxEngine.addEventListener(AppEvents.Started, (e) => Logger.write('started ' + typeof e.sessionId + ' ' + (e.accessURL === e.accessSecureURL)));
     VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
       e.call.addEventListener(CallEvents.Connected, () => Logger.write('connected ' + e.call.state()));
       Logger.write('alerting ' + e.call.state() + ' ' + e.destination);
       e.call.answer();
       Logger.write('answer returned');
       e.call.hangup();
     });
     VoxEngine.addEventListener(AppEvents.Terminating, () => Logger.write('terminating'));`,
  );
  const s = emu.placeCall({ destination: '+15550001000' });
  await s.waitFor((r) => r.type === 'auto-terminate', WAIT, 'the 60 s rule');
  await s.terminated;
  assert.deepEqual(logs(s), ['started number true', 'alerting ALERTING +15550001000', 'answer returned', 'connected TERMINATED', 'terminating']);
  assert.equal(AppEventsNames(), true);
});

test("a rule's scenarios run in one space, in order: the second calls what the first defined; a top-level name declared twice is a SyntaxError", async (t) => {
  // VoxEngine runs the scenarios of one routing rule in one shared space, in the order the rule
  // gives (common.js, then scenario.js or callback.js). The emulator runs each file as a script
  // in the session's one vm context: Node shares top-level const, let, class and function names
  // across scripts of one context (the global lexical scope), so a later script sees them, and
  // a later script that declares one of them again throws a SyntaxError ("Identifier 'x' has
  // already been declared") before any of its code runs.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vox-rule-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const first = path.join(dir, 'first.js');
  const second = path.join(dir, 'second.js');
  const clash = path.join(dir, 'clash.js');
  fs.writeFileSync(first, "const GREETING = 'hello';\nlet count = 0;\nfunction greet(who) {\n  count++;\n  return GREETING + ' ' + who + ' ' + count;\n}\n");
  fs.writeFileSync(second, "VoxEngine.addEventListener(AppEvents.Started, () => {\n  Logger.write(greet('second'));\n  count = 10;\n  Logger.write(greet('again'));\n  VoxEngine.terminate();\n});\n");
  fs.writeFileSync(clash, "Logger.write('clash ran');\nconst GREETING = 'bye';\n");

  const emu = new Emulator({ scenarios: [first, second], timeScale: 10 });
  await emu.start();
  t.after(() => emu.close());
  const s = emu.placeCall({ noInboundCall: true });
  await s.terminated;
  assert.deepEqual(logs(s), ['hello second 1', 'hello again 11']);
  assert.deepEqual(s.errors, []);

  const bad = new Emulator({ scenarios: [first, clash, second], timeScale: 10 });
  await bad.start();
  t.after(() => bad.close());
  const b = bad.placeCall({ noInboundCall: true });
  await b.terminated;
  assert.deepEqual(logs(b), [], 'neither the clashing script nor the one after it ran');
  assert.equal(b.errors.length, 1);
  assert.match(b.errors[0], /SyntaxError: Identifier 'GREETING' has already been declared/);
});

test('common.js only defines: run alone it registers no handler, writes, requests and dials nothing, and the idle session ends by itself', async (t) => {
  const emu = new Emulator({ scenarios: [path.join(__dirname, '..', 'common.js')], timeScale: 100 });
  await emu.start();
  t.after(() => emu.close());
  const s = emu.placeCall({ noInboundCall: true });
  await s.waitFor((r) => r.type === 'auto-terminate', WAIT, 'the 60 s rule');
  await s.terminated;
  assert.deepEqual([...s.handlers.values()].flat(), []);
  assert.deepEqual(logs(s), []);
  assert.deepEqual(s.errors, []);
  assert.deepEqual(s.records.filter((r) => r.type === 'http-out' || r.type === 'dial' || r.type === 'warning'), []);
});

/** The enum strings are VoxEngine's own. */
function AppEventsNames() {
  const { stringEnums } = require('../emulator/enums.js');
  const e = stringEnums();
  return e.AppEvents.Started === 'Application.Started' && e.CallEvents.Failed === 'Call.Failed' && e.ASREvents.ASRError === 'ASR.Error';
}

test('Net.httpRequestAsync: 3 active at most, throws past 35, transport failures are negative codes', async (t) => {
  /** @type {http.ServerResponse[]} */
  const held = [];
  let active = 0;
  let peak = 0;
  /** @type {() => void} */
  let threeHeld = () => {};
  const three = new Promise((resolve) => (threeHeld = () => resolve(undefined)));
  const server = http.createServer((req, res) => {
    active++;
    peak = Math.max(peak, active);
    held.push(res);
    if (held.length === 3) threeHeld();
    res.on('close', () => active--);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const emu = await emulate(
    t,
    `VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
       Net.httpRequestAsync('not a url').then((r) => Logger.write('malformed ' + r.code));
       let thrown = 0;
       for (let i = 0; i < 40; i++) {
         try { Net.httpRequestAsync('http://127.0.0.1:${port}/x' + i, { timeout: 30 }).then((r) => Logger.write('done ' + r.code)); }
         catch (err) { thrown++; }
       }
       Logger.write('thrown ' + thrown);
     });`,
  );
  const s = emu.placeCall();
  await s.waitFor((r) => r.type === 'log' && /^thrown/.test(r.message), WAIT, 'the loop');
  assert.ok(logs(s).includes('thrown 5'), logs(s).join(','));
  await Promise.race([three, new Promise((_, reject) => setTimeout(() => reject(new Error('three requests never arrived')), WAIT).unref())]);
  // The server holds every request: only three ever reach it at once.
  assert.equal(peak, 3);
  while (held.length) /** @type {http.ServerResponse} */ (held.shift()).end('ok');
  await s.waitFor((r) => r.type === 'log' && r.message === 'malformed -2', WAIT, 'the malformed URL');
});

test('outbound legs: hangup before the answer is Failed 487, a busy callee 486, a connected hangup Disconnected on that leg only', async (t) => {
  const emu = await emulate(
    t,
    `VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
       const caller = e.call;
       caller.answer();
       caller.addEventListener(CallEvents.Disconnected, () => Logger.write('caller disconnected'));
       const a = VoxEngine.callUser({ username: 'ringer', callerid: '+1' });
       a.addEventListener(CallEvents.Ringing, () => a.hangup());
       a.addEventListener(CallEvents.Failed, (ev) => {
         Logger.write('a failed ' + ev.code);
         const b = VoxEngine.callSIP('sip:busy@x', { callerid: '+1' });
         b.addEventListener(CallEvents.Failed, (ev2) => {
           Logger.write('b failed ' + ev2.code);
           const c = VoxEngine.callPSTN('+15550000000', '+1');
           c.addEventListener(CallEvents.Connected, () => { VoxEngine.sendMediaBetween(caller, c); c.hangup(); });
           c.addEventListener(CallEvents.Disconnected, () => { Logger.write('c disconnected, caller ' + caller.state()); VoxEngine.terminate(); });
         });
       });
     });`,
    { callee: (kind, target) => (target === 'ringer' ? CALLEES.noanswer() : target === 'sip:busy@x' ? CALLEES.busy(0.1) : CALLEES.answer(0.1)) },
  );
  const s = emu.placeCall();
  await s.terminated;
  assert.deepEqual(logs(s), ['a failed 487', 'b failed 486', 'c disconnected, caller CONNECTED']);
  assert.deepEqual(
    s.heard().map((h) => h.what),
    ['call', 'silence'],
  );
});

test('several outbound legs of one session ring at once, each on its own script; hanging up a ringing one is Failed 487', async (t) => {
  // A ring: five legs dialed in one tick. Each callee follows its own script; the scenario
  // bridges the first Connected and hangs up the legs still ringing (VoxEngine: Failed 487 for
  // an outbound call hung up before it connected). A leg that answered before the scenario saw
  // the winner's Connected is already connected: its hangup gives Disconnected.
  const emu = await emulate(
    t,
    `VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
       const caller = e.call;
       caller.answer();
       let winner = null;
       let ended = 0;
       const over = () => { if (++ended === 4) VoxEngine.terminate(); }; // every leg but the winner's
       const legs = ['fast', 'twin', 'slow', 'never', 'busy'].map((name) => {
         const c = VoxEngine.callUser({ username: name, callerid: '+1' });
         c.addEventListener(CallEvents.Ringing, () => Logger.write(name + ' ringing'));
         c.addEventListener(CallEvents.Connected, () => {
           if (winner) { Logger.write(name + ' connected late'); c.hangup(); return; }
           winner = c;
           Logger.write(name + ' connected');
           VoxEngine.sendMediaBetween(caller, c);
           for (const other of legs) if (other !== c) other.hangup();
         });
         c.addEventListener(CallEvents.Failed, (ev) => { Logger.write(name + ' failed ' + ev.code); over(); });
         c.addEventListener(CallEvents.Disconnected, () => { Logger.write(name + ' disconnected'); over(); });
         return c;
       });
     });`,
    {
      callee: (kind, target) =>
        /** @type {Record<string, import('../emulator/voxengine.js').CalleeScript>} */ ({
          fast: { ringAfterS: 0.05, answerAfterS: 0.5 },
          twin: CALLEES.noanswer(), // answered by hand, in the instant fast answers
          slow: { ringAfterS: 0.05, answerAfterS: 3 },
          never: CALLEES.noanswer(),
          busy: CALLEES.busy(0.2),
        })[target],
    },
  );
  const s = emu.placeCall();
  await s.waitFor((r) => r.type === 'callee' && r.did === 'answer' && r.target === 'fast', WAIT, 'fast answering');
  const twin = [...s.calls].find((c) => c.number() === 'twin');
  assert.ok(twin);
  twin.remoteAnswer(); // before the scenario hears of fast's answer (its Connected comes on a later tick)
  await s.terminated;
  const lines = logs(s);
  const rang = lines.filter((l) => l.endsWith(' ringing') && !l.startsWith('busy')).sort();
  assert.deepEqual(rang, ['fast ringing', 'never ringing', 'slow ringing', 'twin ringing'], 'they rang at once');
  assert.ok(lines.indexOf('busy failed 486') < lines.indexOf('fast connected'), 'the busy one failed on its own before the answer');
  // fast and twin answered in one instant: fast's Connected came first and won; twin was
  // already connected when it was hung up (Disconnected), and its own Connected still came.
  assert.equal(lines.find((l) => / connected$/.test(l)), 'fast connected', lines.join('\n'));
  assert.ok(lines.includes('twin connected late') && lines.includes('twin disconnected'), lines.join('\n'));
  assert.ok(lines.includes('slow failed 487') && lines.includes('never failed 487'), 'the ringing ones ended with 487');
  assert.ok(!lines.some((l) => l.startsWith('slow connected')), 'a hung-up leg never answers later');
  assert.equal(s.heard().filter((h) => h.what === 'call').length, 1, 'the caller hears the winner');
});

test('terminate: no timers afterwards, Terminating allows one request, then Terminated; the accessURL answers 404', async (t) => {
  const emu = await emulate(
    t,
    `VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
       e.call.answer();
       setTimeout(() => Logger.write('timer fired'), 600000);
     });
     VoxEngine.addEventListener(AppEvents.HttpRequest, (e) => {
       VoxEngine.terminate();
       return { got: e.content };
     });
     VoxEngine.addEventListener(AppEvents.Terminating, () => {
       Net.httpRequestAsync('http://127.0.0.1:9/').then((r) => Logger.write('last request ' + r.code));
       try { Net.httpRequestAsync('http://127.0.0.1:9/'); } catch (err) { Logger.write('second refused'); }
     });
     VoxEngine.addEventListener(AppEvents.Terminated, () => Logger.write('terminated'));`,
  );
  const s = emu.placeCall();
  await s.waitFor((r) => r.type === 'answer', WAIT, 'the answer');
  const res = await fetch(s.accessURL, { method: 'POST', body: 'hi' });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { got: 'hi' });
  await s.terminated;
  assert.deepEqual(logs(s), ['second refused', 'last request -4', 'terminated']);
  assert.equal((await fetch(s.accessURL, { method: 'POST', body: 'again' })).status, 404);
});

test('legs in progress are counted per target across sessions, until they fail, hang up or are dropped', async (t) => {
  const emu = await emulate(
    t,
    `VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
       e.call.answer();
       const leg = VoxEngine.callPSTN(e.destination === '+2' ? '+15550000002' : '+15550000001', '+1');
       leg.addEventListener(CallEvents.Connected, () => VoxEngine.sendMediaBetween(e.call, leg));
       leg.addEventListener(CallEvents.Failed, () => VoxEngine.terminate());
       leg.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
     });`,
    { callee: (kind, target) => (target === '+15550000002' ? CALLEES.busy(0.5) : CALLEES.answer(0.1, 1)) },
  );
  /** @type {import('../emulator/voxengine.js').LegEvent[]} */
  const seen = [];
  emu.on('leg', (/** @type {import('../emulator/voxengine.js').LegEvent} */ ev) => seen.push(ev));
  const a = emu.placeCall({ destination: '+1' });
  const b = emu.placeCall({ destination: '+1' });
  const c = emu.placeCall({ destination: '+2' });
  await c.terminated; // busy: Failed
  await a.terminated; // hung up by the callee after 1 s of talk
  await b.terminated;
  const d = emu.placeCall({ destination: '+1' });
  await d.waitFor((r) => r.type === 'dial', WAIT, 'the dial');
  assert.equal(emu.activeLegs.get('+15550000001'), 1);
  d.callerHangup(); // the caller leaves; the leg stays up until the session ends
  await emu.close(); // drops what is left
  assert.deepEqual(
    seen.filter((e) => e.target === '+15550000001').map((e) => `${e.state} ${e.active}`),
    ['start 1', 'start 2', 'end 1', 'end 0', 'start 1', 'end 0'],
  );
  assert.deepEqual(
    seen.filter((e) => e.target === '+15550000002').map((e) => `${e.state} ${e.active} ${e.kind}`),
    ['start 1 pstn', 'end 0 pstn'],
  );
  assert.equal(emu.activeLegs.size, 0);
});

test('record: RecordStarted with an https URL on a later tick; RecordStopped with it after Disconnected; none on a call not connected', async (t) => {
  const emu = await emulate(
    t,
    `VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
       const call = e.call;
       call.record({});
       call.addEventListener(CallEvents.RecordStarted, (r) => Logger.write('started ' + r.url));
       call.addEventListener(CallEvents.RecordStopped, (r) => {
         Logger.write('stopped ' + r.url + ' ' + typeof r.duration + ' ' + typeof r.cost);
         VoxEngine.terminate();
       });
       call.addEventListener(CallEvents.Disconnected, () => Logger.write('disconnected'));
       call.addEventListener(CallEvents.Connected, () => {
         call.record({ stereo: true });
         Logger.write('record returned');
         call.record({});
       });
       call.answer();
     });`,
  );
  const s = emu.placeCall();
  await s.waitFor((r) => r.type === 'call-event' && r.event === 'Call.RecordStarted', WAIT, 'RecordStarted');
  s.callerHangup();
  await s.terminated;
  const url = `https://records.emulator.invalid/${s.id}/${s.caller && s.caller.id()}.mp3`;
  assert.deepEqual(logs(s), ['record returned', 'started ' + url, 'disconnected', 'stopped ' + url + ' number string']);
  assert.deepEqual(
    s.records.filter((r) => r.type === 'warning').map((r) => r.message),
    ['record on ALERTING call', 'record on a call already recording'],
  );
});

test("a scripted caller's keys: ToneReceived only once handleTones(true) was called, each key recorded", async (t) => {
  const emu = await emulate(
    t,
    `VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
       const call = e.call;
       call.addEventListener(CallEvents.ToneReceived, (ev) => Logger.write('tone ' + ev.tone));
       call.addEventListener(CallEvents.Connected, () => setTimeout(() => call.handleTones(true), 1000));
       call.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
       call.answer();
     });`,
  );
  // Keys well apart from the handleTones timer (1 s after the answer), so a busy machine's late
  // timers cannot swap them.
  const s = emu.placeCall({ destination: '+15550001000', caller: { tones: [{ tone: '1', atS: 0.3 }, { tone: '#', atS: 4 }], hangupAfterS: 5 } });
  await s.terminated;
  assert.deepEqual(logs(s), ['tone #']);
  assert.deepEqual(
    s.records.filter((r) => r.type === 'tone-in').map((r) => [r.tone, r.handled]),
    [
      ['1', false],
      ['#', true],
    ],
  );
});
