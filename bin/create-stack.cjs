#!/usr/bin/env node
// CommonJS entry: starts faster than an ES module (see scripts/build.mjs).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.cjs');
// A build swaps dist/ in with two renames: wait out that instant rather than fail (at most 5 s).
for (let i = 0; i < 50 && !existsSync(cli); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
if (!existsSync(cli)) {
  process.stderr.write('create-stack: dist/cli.cjs is missing: run `npm run build` (npm ci runs it) first\n');
  process.exit(1);
}
require(cli);
