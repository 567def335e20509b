#!/usr/bin/env node
// CommonJS entry: starts faster than an ES module (see scripts/build.mjs).
require('../dist/cli.cjs');
