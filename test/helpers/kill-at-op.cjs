// Preload (node -r / NODE_OPTIONS=--require): SIGKILLs the process just before its N-th
// fs.renameSync or fs.writeFileSync (KILL_AT_OP=N), or counts those calls into COUNT_OPS=<file>.
// The CLI bundle calls fs functions through the module object, so patching them here reaches apply.
const fs = require('node:fs');

const killAt = Number(process.env.KILL_AT_OP || 0);
const countFile = process.env.COUNT_OPS;
let n = 0;
for (const name of ['renameSync', 'writeFileSync']) {
  const original = fs[name];
  fs[name] = function patched(...args) {
    // Only writes of the run itself count, not this preload's own bookkeeping.
    n++;
    if (n === killAt) process.kill(process.pid, 'SIGKILL');
    return original.apply(this, args);
  };
}
if (countFile) process.on('exit', () => require('node:fs').appendFileSync(countFile, `${n}\n`));
