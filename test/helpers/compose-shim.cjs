#!/usr/bin/env node
// A stand-in for `docker` as the generated backup/restore scripts call it, run on this host (there is
// no Docker engine here): `compose exec -T <svc> sh -c <cmd>` and `compose run … <svc> -c <cmd>` run
// `sh -c <cmd>` here with that service's environment (SHIM_DIR/<svc>.json: { env, map }), where `map`
// turns container paths and ports into this host's ({ "/data": "/tmp/x", "redis-cli ": "redis-cli -p 7000 " });
// `compose stop|start <svc>` run SHIM_DIR/<verb>-<svc>.sh. Every call is appended to SHIM_DIR/calls.
const { appendFileSync, existsSync, readFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const dir = process.env.SHIM_DIR;
const argv = process.argv.slice(2);
appendFileSync(join(dir, 'calls'), JSON.stringify(argv) + '\n');
if (argv[0] !== 'compose') process.exit(1);
const verb = argv[1];
if (verb === 'version') process.exit(0);
if (verb === 'stop' || verb === 'start') {
  const hook = join(dir, `${verb}-${argv[2]}.sh`);
  process.exit(existsSync(hook) ? spawnSync('sh', [hook], { stdio: 'inherit' }).status ?? 1 : 0);
}
if (verb !== 'exec' && verb !== 'run') process.exit(1);
const c = argv.indexOf('-c');
if (c < 1) process.exit(1);
// The service is the word before `sh -c` (exec) or before `-c` (run --entrypoint sh).
const svc = verb === 'exec' ? argv[c - 2] : argv[c - 1];
const { env, map } = JSON.parse(readFileSync(join(dir, `${svc}.json`), 'utf8'));
let cmd = argv[c + 1];
for (const [from, to] of Object.entries(map ?? {})) cmd = cmd.split(from).join(to);
const r = spawnSync('sh', ['-c', cmd], { stdio: 'inherit', env: { ...process.env, ...env } });
process.exit(r.status ?? 1);
