// @ts-check
'use strict';
/**
 * The VoxEngine enums with string values (AppEvents, CallEvents, ASREvents, Modules, …), read
 * from the vendored voxengine.d.ts so the emulator uses exactly the strings the platform does.
 */
const fs = require('node:fs');
const path = require('node:path');

const DTS = path.join(__dirname, '..', 'types', 'voxengine.d.ts');

/** @type {Record<string, Record<string, string>> | null} */
let cache = null;

/**
 * Returns every `declare enum X { A = 'value', … }` of the d.ts whose members have string
 * initializers, merged across repeated declarations.
 * @returns {Record<string, Record<string, string>>}
 */
function stringEnums() {
  if (cache) return cache;
  const text = fs.readFileSync(DTS, 'utf8');
  /** @type {Record<string, Record<string, string>>} */
  const out = {};
  const enumRe = /^declare enum (\w+) \{([\s\S]*?)^\}/gm;
  for (let m = enumRe.exec(text); m; m = enumRe.exec(text)) {
    const members = {};
    const memberRe = /^\s*(\w+)\s*=\s*'([^']*)'/gm;
    for (let mm = memberRe.exec(m[2]); mm; mm = memberRe.exec(m[2])) {
      /** @type {Record<string, string>} */ (members)[mm[1]] = mm[2];
    }
    if (Object.keys(members).length > 0) out[m[1]] = Object.assign(out[m[1]] || {}, members);
  }
  for (const required of ['AppEvents', 'CallEvents', 'ASREvents', 'Modules']) {
    if (!out[required]) throw new Error(`voxengine.d.ts: enum ${required} not found`);
  }
  cache = out;
  return out;
}

module.exports = { stringEnums, DTS };
