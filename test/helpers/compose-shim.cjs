#!/usr/bin/env node
// A stand-in for `docker` as generated scripts call it, run on this host (there is no Docker engine
// here). `compose [-f file] exec [-T] [-e K=V]… <svc> <cmd…>` and `compose run [--rm] [--no-deps] [-T]
// [--entrypoint sh] <svc> <args…>` run the command here with that service's environment
// (SHIM_DIR/<svc>.json: { env, map }; `map` turns container paths and ports into this host's, as
// { "/data": "/tmp/x", "redis-cli ": "redis-cli -p 7000 " }, in `sh -c` scripts); `-e K=V` is added
// to it. `compose stop|start <svc>` run SHIM_DIR/<verb>-<svc>.sh. Every call is appended to SHIM_DIR/calls.
const { appendFileSync, existsSync, readFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const dir = process.env.SHIM_DIR;
const argv = process.argv.slice(2);
appendFileSync(join(dir, 'calls'), JSON.stringify(argv) + '\n');
if (argv[0] !== 'compose') process.exit(1);
let i = 1;
while (argv[i] && argv[i].startsWith('-')) i += argv[i] === '-f' || argv[i] === '-p' || argv[i] === '--project-directory' ? 2 : 1;
const verb = argv[i++];
if (verb === 'version') process.exit(0);
if (verb === 'stop' || verb === 'start') {
  const hook = join(dir, `${verb}-${argv[i]}.sh`);
  process.exit(existsSync(hook) ? spawnSync('sh', [hook], { stdio: 'inherit' }).status ?? 1 : 0);
}
if (verb !== 'exec' && verb !== 'run') process.exit(1);
const extra = {};
let entrypoint = null;
while (argv[i] && argv[i].startsWith('-')) {
  const opt = argv[i++];
  if (opt === '-e') {
    const [k, ...v] = argv[i++].split('=');
    extra[k] = v.join('=');
  } else if (opt === '--entrypoint') entrypoint = argv[i++];
  else if (opt === '-u' || opt === '-w' || opt === '--user' || opt === '--workdir') i++;
}
const svc = argv[i++];
let cmd = argv.slice(i);
if (entrypoint) cmd = [entrypoint, ...cmd];
const { env, map } = JSON.parse(readFileSync(join(dir, `${svc}.json`), 'utf8'));
if (cmd[0] === 'sh' && cmd[1] === '-c') for (const [from, to] of Object.entries(map ?? {})) cmd[2] = cmd[2].split(from).join(to);
const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env: { ...process.env, ...env, ...extra } });
process.exit(r.status ?? 1);
