// @ts-check
// Copies the generated TypeScript client (../../gen/ts, never edited by hand) into build/gen-ts
// so tsc compiles it here, where its imports (@bufbuild/protobuf) resolve from this package's
// node_modules. tsconfig.gen.json then compiles it to CommonJS in build/gen.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const from = path.resolve(__dirname, '..', '..', '..', 'gen', 'ts');
const to = path.resolve(__dirname, '..', 'build', 'gen-ts');
if (!fs.existsSync(from)) {
  console.error(`copy-gen: ${from} does not exist (run make generate at the repository root)`);
  process.exit(1);
}
fs.rmSync(to, { recursive: true, force: true });
fs.cpSync(from, to, { recursive: true, filter: (src) => fs.statSync(src).isDirectory() || src.endsWith('.ts') });
