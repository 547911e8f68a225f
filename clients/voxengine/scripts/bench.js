// @ts-check
'use strict';
/**
 * The load benchmark: the emulator's load mode against a fresh local Tandem (the real binary,
 * with enough auto-answering operators), and the same load against the echo backend measured
 * in the same run as the baseline. Prints the figures and their ratios to the baseline.
 *
 *   npm run bench            (TANDEM_BIN=… to use a built binary; else it is built)
 *   node scripts/bench.js --operators 200 --json
 */
const { parseArgs } = require('node:util');
const { TandemServer, tandemBinary, SECRET, ADMIN_KEY } = require('../test/harness.js');
const { runLoad } = require('../emulator/load.js');
const { startEchoBackend } = require('../emulator/echo-backend.js');
const { startOperators, calleeFrom } = require('../emulator/index.js');

const DIALED = '+18005550100';

/** @type {{ name: string, calls: number, rate: number, answerAfter: number, talk: number }[]} */
// Callers end the calls (an operator who hangs up first gets Tandem's voice opt-in question
// asked of the caller, which the echo baseline knows nothing of: not a like-for-like load).
const PROFILES = [
  { name: '200 concurrent calls (all arrive within 1 s, answer after 1 s, talk 5 s)', calls: 200, rate: 200, answerAfter: 1, talk: 5 },
  { name: 'throughput (600 calls at 100/s, answer after 0.2 s, talk 0.5 s)', calls: 600, rate: 100, answerAfter: 0.2, talk: 0.5 },
];

async function main() {
  const { values } = parseArgs({ options: { operators: { type: 'string', default: '200' }, json: { type: 'boolean', default: false } } });
  const n = Number(values.operators);
  const log = (/** @type {string} */ s) => process.stderr.write(`bench: ${s}\n`);
  tandemBinary();
  const tandem = await TandemServer.start();
  const echo = await startEchoBackend({ secret: SECRET });
  /** @type {Array<{ profile: string, backend: string, summary: import('../emulator/load.js').LoadSummary }>} */
  const results = [];
  let closeOperators = () => {};
  try {
    log(`tandem at ${tandem.url}; creating and logging in ${n} operators (bcrypt: this takes a while)`);
    closeOperators = /** @type {() => void} */ (await startOperators({ backend: tandem.url, adminKey: ADMIN_KEY, n, queue: 'support', dialed: DIALED, password: 'bench-password', log }));
    // Warm up (JIT, connections, Tandem's caches) so neither side of the first pair runs cold.
    log('warm-up');
    for (const url of [echo.url, tandem.url]) {
      await runLoad({ backend: url, secret: SECRET, calls: 100, rate: 100, dialed: DIALED, callee: calleeFrom('answer', 0.2, 3600), caller: { hangupAfterBridgeS: 0.2 } });
    }
    for (const p of PROFILES) {
      for (const [backend, url] of [['echo (baseline)', echo.url], ['tandem', tandem.url]]) {
        log(`${p.name}: ${backend}`);
        const summary = await runLoad({ backend: url, secret: SECRET, calls: p.calls, rate: p.rate, dialed: DIALED, callee: calleeFrom('answer', p.answerAfter, 3600), caller: { hangupAfterBridgeS: p.talk } });
        results.push({ profile: p.name, backend, summary });
      }
    }
  } finally {
    closeOperators();
    await echo.close();
    await tandem.stop();
  }
  if (values.json) {
    process.stdout.write(JSON.stringify(results, null, 2) + '\n');
    return;
  }
  const lines = [];
  for (const p of PROFILES) {
    const base = /** @type {import('../emulator/load.js').LoadSummary} */ (results.find((r) => r.profile === p.name && r.backend !== 'tandem')?.summary);
    const t = /** @type {import('../emulator/load.js').LoadSummary} */ (results.find((r) => r.profile === p.name && r.backend === 'tandem')?.summary);
    const ratio = (/** @type {number} */ a, /** @type {number} */ b) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
    lines.push(`\n${p.name}, ${n} operators`);
    lines.push('| | echo baseline | tandem | tandem / baseline |');
    lines.push('|---|---|---|---|');
    lines.push(`| ok / placed | ${base.ok}/${base.placed} | ${t.ok}/${t.placed} | |`);
    lines.push(`| failures | ${base.failed} | ${t.failed} ${t.failed ? JSON.stringify(t.failures) : ''} | |`);
    lines.push(`| calls/s | ${base.callsPerS.toFixed(1)} | ${t.callsPerS.toFixed(1)} | ${ratio(t.callsPerS, base.callsPerS)} |`);
    lines.push(`| peak concurrent calls | ${base.peakConcurrent} | ${t.peakConcurrent} | |`);
    lines.push(`| intake ms p50 / p99 | ${base.intakeMs.p50} / ${base.intakeMs.p99} | ${t.intakeMs.p50} / ${t.intakeMs.p99} | ${ratio(t.intakeMs.p50, base.intakeMs.p50)} / ${ratio(t.intakeMs.p99, base.intakeMs.p99)} |`);
    lines.push(`| event ms p50 / p99 | ${base.eventMs.p50} / ${base.eventMs.p99} | ${t.eventMs.p50} / ${t.eventMs.p99} | ${ratio(t.eventMs.p50, base.eventMs.p50)} / ${ratio(t.eventMs.p99, base.eventMs.p99)} |`);
    lines.push(`| arrival → operator s p50 / p99 | ${base.answerS.p50.toFixed(2)} / ${base.answerS.p99.toFixed(2)} | ${t.answerS.p50.toFixed(2)} / ${t.answerS.p99.toFixed(2)} | ${ratio(t.answerS.p50, base.answerS.p50)} / ${ratio(t.answerS.p99, base.answerS.p99)} |`);
    lines.push(`| wall time s | ${base.wallS.toFixed(1)} | ${t.wallS.toFixed(1)} | ${ratio(t.wallS, base.wallS)} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (results.some((r) => r.summary.failed > 0)) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`bench: ${err && err.stack ? err.stack : err}\n`);
  process.exit(2);
});
