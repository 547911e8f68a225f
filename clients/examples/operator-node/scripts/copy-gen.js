// Copies the generated TypeScript client (gen/ts at the repository root, never edited by hand)
// into src/gen, so tsc compiles it with the example and its imports (@bufbuild/protobuf)
// resolve from this package's node_modules. In a project of your own, generate the client
// there instead (buf generate with protoc-gen-es, as the repository's buf.gen.yaml does).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const from = path.resolve(__dirname, '..', '..', '..', '..', 'gen', 'ts');
const to = path.resolve(__dirname, '..', 'src', 'gen');
if (!fs.existsSync(from)) {
  console.error(`copy-gen: ${from} does not exist (run make generate at the repository root)`);
  process.exit(1);
}
fs.rmSync(to, { recursive: true, force: true });
fs.cpSync(from, to, { recursive: true, filter: (src) => fs.statSync(src).isDirectory() || src.endsWith('.ts') });
